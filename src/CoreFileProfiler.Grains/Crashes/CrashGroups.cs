using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CoreFileProfiler.Node;
using CoreFileProfiler.Node.Cores;
using CoreFileProfiler.Store;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CoreFileProfiler.Grains.Crashes;

/// <summary>
/// The node's crash groups, by (namespace, container, signature), kept in the store
/// (<see cref="StoreLayout.CrashGroupsFolder"/>, one root-only file per group, written as the
/// metadata is) so they survive the silo; and the storage budget of each: at most
/// <c>Profiler:CoresPerSignature</c> full cores stay, the first and the newest, and a later crash's
/// core is removed (compressed or not) while its metadata and report stay, for the last
/// <see cref="MaxUncored"/> such crashes of the group. Retention removes kept cores too; a group
/// then lists the ones left.
/// </summary>
public sealed partial class CrashGroups(IOptions<ProfilerOptions> options, CoreStore store, TimeProvider time, ILogger<CrashGroups> logger)
{
    /// <summary>Crashes of a group whose report outlives its removed core; older ones go with their metadata.</summary>
    public const int MaxUncored = 32;

    /// <summary>The frames a group keeps of its latest report: what people read first, kept small since every list of groups carries them (the report beside the core has them all).</summary>
    public const int GroupFrames = 16;

    /// <summary>Groups a node keeps; beyond it the one whose last crash is oldest is forgotten.</summary>
    public const int MaxGroups = 1000;

    private const int Hours = 24;
    private const long MaxGroupFileBytes = 1 << 20;

    private readonly Lock _lock = new();
    private Dictionary<string, SavedCrashGroup>? _groups;

    private string Node => options.Value.NodeName;

    /// <summary>
    /// Counts a reported crash into its group and applies the group's budget: returns the group as
    /// it is now, whether this crash started it, and the cores removed for the budget.
    /// </summary>
    /// <param name="corePath">The crash's core (absolute, symlink-free), which may be gone already.</param>
    public (CrashGroup Group, bool IsNew, IReadOnlyList<string> Removed) Add(string corePath, CoreMetadata metadata, CrashReport report)
    {
        lock (_lock)
        {
            var groups = Load();
            var key = Key(metadata.Namespace, metadata.Container, report.Signature);
            var existing = groups.GetValueOrDefault(key);
            var when = metadata.Time;

            var kept = (existing?.Cores ?? []).Where(c => Exists(c.Path)).ToList();
            if (Exists(corePath)) kept.Add(new CrashCore(Node, corePath, when));
            var uncored = (existing?.Uncored ?? []).ToList();
            var removed = new List<string>();
            // The first stays: it is the one from before the loop began, often the most telling.
            while (kept.Count > Math.Max(options.Value.CoresPerSignature, 1))
            {
                removed.Add(kept[1].Path);
                uncored.Add(kept[1].Path);
                kept.RemoveAt(1);
            }

            var forgotten = uncored.Take(Math.Max(uncored.Count - MaxUncored, 0)).ToList();
            uncored.RemoveRange(0, forgotten.Count);

            var hour = HourOf(time.GetUtcNow());
            var hours = (existing?.Hours ?? new Dictionary<long, int>()).Where(h => h.Key > hour - Hours).ToDictionary();
            hours[HourOf(when)] = hours.GetValueOrDefault(HourOf(when)) + 1;
            var latest = existing is null || when >= existing.LastSeen;
            var group = new SavedCrashGroup(
                report.Signature, metadata.Namespace, metadata.Container,
                latest ? metadata.Pod : existing!.Pod, latest ? metadata.Image : existing!.Image,
                (existing?.Count ?? 0) + 1,
                existing is null || when < existing.FirstSeen ? when : existing.FirstSeen,
                latest ? when : existing!.LastSeen,
                latest ? report.Summary : existing!.Summary, latest ? report.Signal : existing!.Signal, latest ? [.. report.Frames.Take(GroupFrames)] : existing!.Frames,
                kept, hours.Where(h => h.Key > hour - Hours).ToDictionary(), uncored);
            groups[key] = group;
            Save(key, group);
            foreach (var path in removed) RemoveCore(path, keepRecords: true);
            foreach (var path in forgotten) RemoveCore(path, keepRecords: false);
            ForgetOldest(groups);
            return (Show(group), existing is null, removed);
        }
    }

    /// <summary>The node's groups, most recent crash first.</summary>
    public IReadOnlyList<CrashGroup> List()
    {
        lock (_lock)
        {
            return Load().Values.OrderByDescending(g => g.LastSeen).Select(Show).ToList();
        }
    }

    /// <summary>As shown: the kept cores still on disk, the per-hour counts up to this hour.</summary>
    private CrashGroup Show(SavedCrashGroup group)
    {
        var hour = HourOf(time.GetUtcNow());
        return new CrashGroup(
            group.Signature, group.Namespace, group.Container, group.Pod, group.Image, group.Count, group.FirstSeen, group.LastSeen,
            group.Summary, group.Signal, group.Frames, group.Cores.Where(c => Exists(c.Path)).ToList(), [Node],
            [.. Enumerable.Range(0, Hours).Select(i => group.Hours.GetValueOrDefault(hour - Hours + 1 + i))]);
    }

    private Dictionary<string, SavedCrashGroup> Load()
    {
        if (_groups is not null) return _groups;
        _groups = [];
        try
        {
            using var root = StoreDirectory.OpenRoot(store.Root);
            using var folder = root.OpenDirectory(StoreLayout.CrashGroupsFolder);
            foreach (var (name, size, _) in folder?.ListFiles(0, n => n.EndsWith(".json", StringComparison.Ordinal) && !n.StartsWith('.')) ?? [])
            {
                try
                {
                    using var file = size <= MaxGroupFileBytes ? folder!.OpenFile(name) : null;
                    if (file is not null && JsonSerializer.Deserialize(file, CrashJson.Default.SavedCrashGroup) is { } group) _groups[name[..^5]] = group;
                }
                catch (JsonException e)
                {
                    LogUnreadable(logger, name, e.Message);
                }
            }
        }
        catch (Exception e) when (e is IOException or SymlinkInStoreException or UnauthorizedAccessException)
        {
            LogUnreadable(logger, StoreLayout.CrashGroupsFolder, e.Message);
        }

        return _groups;
    }

    private void Save(string key, SavedCrashGroup group)
    {
        using var root = StoreDirectory.OpenRoot(store.Root);
        using var folder = root.CreateDirectories(StoreLayout.CrashGroupsFolder);
        var (temporary, file) = folder.CreateTemporary(key);
        using (file)
        {
            JsonSerializer.Serialize(file, group, CrashJson.Default.SavedCrashGroup);
        }

        folder.Replace(temporary, key + ".json");
    }

    private void ForgetOldest(Dictionary<string, SavedCrashGroup> groups)
    {
        while (groups.Count > MaxGroups)
        {
            var (key, oldest) = groups.MinBy(g => g.Value.LastSeen);
            groups.Remove(key);
            // Its records of cores removed for the budget belong to no group any more: nothing else would remove them.
            foreach (var path in oldest.Uncored) RemoveCore(path, keepRecords: false);
            using var root = StoreDirectory.OpenRoot(store.Root);
            using var folder = root.OpenDirectory(StoreLayout.CrashGroupsFolder);
            folder?.Delete(key + ".json");
        }
    }

    /// <summary>Removes a core (plain or zstd), through the store's walk; with <paramref name="keepRecords"/> false, its metadata and report too.</summary>
    private void RemoveCore(string corePath, bool keepRecords)
    {
        try
        {
            using var directory = StoreDirectory.OpenDirectoryAt(Path.GetDirectoryName(corePath)!);
            var name = CompressedCore.Uncompressed(Path.GetFileName(corePath));
            directory?.Delete(name);
            directory?.Delete(name + CompressedCore.Extension);
            if (keepRecords) return;
            directory?.Delete(CoreMetadata.NameFor(name));
            directory?.Delete(StoreLayout.CrashReportName(name));
        }
        catch (Exception e) when (e is IOException or SymlinkInStoreException)
        {
            LogNotRemoved(logger, corePath, e.Message);
        }
    }

    private static bool Exists(string path)
    {
        using var file = StoreDirectory.OpenFileAt(path);
        return file is not null;
    }

    private static long HourOf(DateTimeOffset at) => at.ToUnixTimeSeconds() / 3600;

    /// <summary>The group's file name: a hash, since namespace and container names need not make one.</summary>
    private static string Key(string? ns, string? container, string signature) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{ns}\n{container}\n{signature}")))[..32];

    [LoggerMessage(Level = LogLevel.Warning, Message = "Crash group file {File} is not read: {Reason}")]
    private static partial void LogUnreadable(ILogger logger, string file, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Core {Core} over its crash group's budget was not removed: {Reason}")]
    private static partial void LogNotRemoved(ILogger logger, string core, string reason);
}
