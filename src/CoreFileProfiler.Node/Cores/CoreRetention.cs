using System.IO.Enumeration;
using CoreFileProfiler.Node.Sandbox;
using CoreFileProfiler.Store;
using CoreFileProfiler.Store.Interop;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CoreFileProfiler.Node.Cores;

/// <summary>
/// Keeps the core store within bounds, oldest first: at most <c>MaxCoresPerContainer</c> cores
/// per container, then at most <c>MaxCoreStoreBytes</c> for everything the service writes there:
/// cores, their metadata and crash reports, the build-id store (the collector's copies of executables and
/// every other mapped object in <c>.executables/</c>, of debug files in <c>.debuginfo/</c>) and gdb's
/// hand-over directories (<c>.sandbox/</c>: decompressed cores, copied sysroots). A core goes with
/// its metadata and report (its crash group keeps counting it). A copy that no kept core's metadata names goes too, once it is
/// older than <see cref="ExecutableCopyGrace"/>. Hand-over directories are counted but not removed
/// here: each belongs to a running terminal, which removes it when it ends. Nothing is followed
/// through a symlink. An open download or gdb keeps reading a deleted core until it closes it.
/// </summary>
public sealed class CoreRetention(IOptions<ProfilerOptions> options, CoreStore store, TimeProvider time, ILogger<CoreRetention> logger)
{
    /// <summary>
    /// The collector writes a copy a moment before the metadata that names it; until then the copy
    /// looks unused. Measured from the copy's change time (its modification time is its original's).
    /// </summary>
    public static readonly TimeSpan ExecutableCopyGrace = TimeSpan.FromMinutes(10);

    /// <summary>Deletes what is over the limits; returns the deleted cores' paths.</summary>
    public IReadOnlyList<string> Enforce()
    {
        var cores = store.ListAll(); // newest first
        var deleted = new List<string>();

        foreach (var container in cores.Where(c => c.Container is not null).GroupBy(c => Path.GetDirectoryName(c.FullPath)))
        {
            deleted.AddRange(container.Skip(options.Value.MaxCoresPerContainer).Select(Delete));
        }

        // A hard link (a hand-over directory's core) is counted once, with the first name met.
        var counted = new HashSet<(ulong Device, ulong Inode)>();
        long Bytes(string path) => LibC.StatPath(path) is { IsRegularFile: true } file && counted.Add((file.Device, file.Inode)) ? file.Size : 0;

        var kept = cores.Where(c => !deleted.Contains(c.FullPath)).ToList();
        var cost = kept.ToDictionary(c => c.FullPath, c => Bytes(c.FullPath) + Bytes(CoreMetadata.PathFor(c.FullPath)) + Bytes(ReportPath(c.FullPath)));
        var copiesOf = kept.ToDictionary(c => c.FullPath, c => CopiesNamedBy(CoreMetadata.ReadFor(c.FullPath)));
        var namers = copiesOf.Values.SelectMany(names => names).CountBy(name => name).ToDictionary();
        var copies = BuildIdCopies();
        var removedCopies = new List<string>();
        bool RemoveIfUnnamed(string key)
        {
            if (namers.GetValueOrDefault(key) > 0 || !copies.TryGetValue(key, out var copy) || time.GetUtcNow() - copy.Changed < ExecutableCopyGrace) return false;
            using (var folder = StoreDirectory.OpenDirectoryAt(Path.GetDirectoryName(copy.Path)!)) folder?.Delete(Path.GetFileName(copy.Path));
            removedCopies.Add(key);
            return true;
        }

        var handOvers = StoreFolder(StoreLayout.HandOverFolder);
        var total = cost.Values.Sum() + (handOvers is null ? 0 : Files(handOvers, recurse: true).Sum(Bytes));
        foreach (var (name, copy) in copies)
        {
            if (!RemoveIfUnnamed(name)) total += Bytes(copy.Path);
        }

        foreach (var core in Enumerable.Reverse(kept))
        {
            if (total <= options.Value.MaxCoreStoreBytes) break;
            total -= cost[core.FullPath];
            deleted.Add(Delete(core));
            foreach (var key in copiesOf[core.FullPath])
            {
                if (--namers[key] == 0 && RemoveIfUnnamed(key)) total -= copies[key].Size;
            }
        }

        if (deleted.Count > 0) logger.LogInformation("Retention deleted {Count} cores: {Cores}", deleted.Count, deleted);
        if (removedCopies.Count > 0) logger.LogInformation("Retention removed {Count} build-id store copies no kept core names: {Copies}", removedCopies.Count, removedCopies);
        return deleted;
    }

    /// <summary>
    /// The copies a core's metadata names, as <c>&lt;folder&gt;/&lt;name&gt;</c>: its executable's and every kept
    /// object's in <c>.executables/</c>, their debug files' in <c>.debuginfo/</c> (each core counted once per copy).
    /// </summary>
    private static HashSet<string> CopiesNamedBy(CoreMetadata? metadata)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        if (metadata?.ExecutableCopy is { } executable) names.Add($"{Store.ExecutableCopies.Folder}/{Path.GetFileName(executable)}");
        foreach (var kept in metadata?.Objects ?? [])
        {
            if (kept.CopyName is { } copy) names.Add($"{Store.ExecutableCopies.Folder}/{copy}");
            if (kept.DebugCopyName is { } debug) names.Add($"{DebugInfoCopies.Folder}/{debug}");
        }

        return names;
    }

    /// <summary>The regular files directly in <c>.executables/</c> and <c>.debuginfo/</c> (in-progress dot-names too) as <c>&lt;folder&gt;/&lt;name&gt;</c>, unless a folder is reached through a symlink.</summary>
    private Dictionary<string, (string Path, long Size, DateTimeOffset Changed)> BuildIdCopies()
    {
        var copies = new Dictionary<string, (string, long, DateTimeOffset)>();
        foreach (var name in new[] { Store.ExecutableCopies.Folder, DebugInfoCopies.Folder })
        {
            if (StoreFolder(name) is not { } folder) continue;
            foreach (var path in Files(folder, recurse: false))
            {
                if (LibC.StatPath(path) is { IsRegularFile: true } file) copies[$"{name}/{Path.GetFileName(path)}"] = (path, file.Size, file.Changed);
            }
        }

        return copies;
    }

    /// <summary>A folder of the store, when it exists and no component of it is a symlink.</summary>
    private string? StoreFolder(string name) =>
        LibC.RealPath(store.Root) is { } root && Path.Join(root, name) is var folder && LibC.RealPath(folder) == folder ? folder : null;

    private static FileSystemEnumerable<string> Files(string folder, bool recurse) =>
        new FileSystemEnumerable<string>(folder, (ref entry) => entry.ToFullPath(), new EnumerationOptions
        {
            RecurseSubdirectories = recurse,
            IgnoreInaccessible = true,
            AttributesToSkip = FileAttributes.ReparsePoint, // symlinks: neither counted nor entered
        })
        {
            ShouldIncludePredicate = (ref entry) => !entry.IsDirectory,
        };

    private static string ReportPath(string corePath) => Path.Join(Path.GetDirectoryName(corePath), StoreLayout.CrashReportName(Path.GetFileName(corePath)));

    private static string Delete(CoreFileEntry core)
    {
        // Through the store's walk: a directory swapped for a symlink since the listing is not followed.
        try
        {
            using var directory = StoreDirectory.OpenDirectoryAt(Path.GetDirectoryName(core.FullPath)!);
            directory?.Delete(Path.GetFileName(core.FullPath));
            directory?.Delete(CoreMetadata.NameFor(Path.GetFileName(core.FullPath)));
            directory?.Delete(StoreLayout.CrashReportName(Path.GetFileName(core.FullPath)));
        }
        catch (SymlinkInStoreException)
        {
            // not followed, so nothing to delete
        }

        return core.FullPath;
    }
}
