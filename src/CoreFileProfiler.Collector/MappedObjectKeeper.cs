using System.Globalization;
using CoreFileProfiler.Store;
using CoreFileProfiler.Store.Elf;
using CoreFileProfiler.Store.Interop;

namespace CoreFileProfiler.Collector;

/// <summary>
/// Keeps every ELF object the crashed process had mapped, and the separate debug file its container
/// has for it, in the build-id store (docs/architecture.md, Build-id store), so its frames keep their
/// names after the container and its image are gone. Objects are read through
/// <c>/proc/&lt;pid&gt;/map_files/</c>, the kernel's own reference to what was mapped, regular files only,
/// once per device and inode. Debug files are looked up in the container's root as the container
/// sees it (<c>openat2</c> with <c>RESOLVE_IN_ROOT</c>): a symlink the tenant planted resolves inside
/// its own root, never to the node's files. All of it shares <see cref="CollectorSettings.MaxObjectBytesPerCrash"/>.
/// </summary>
public sealed class MappedObjectKeeper(CollectorSettings settings, ContentCopies copies)
{
    /// <summary>Distinct files looked at: a real process maps a few hundred at most.</summary>
    public const int MaxObjects = 1024;

    private const string DebugRoot = "/usr/lib/debug";

    /// <summary>Keeps the objects of the process at <paramref name="process"/> (its /proc directory) into <paramref name="kept"/>.</summary>
    /// <param name="executable">The executable's copy, already kept: its object is recorded without a second read.</param>
    public void Keep(StoreDirectory root, string process, (FileStatus Status, string BuildId, string Sha256)? executable, KeepingProgress kept)
    {
        if (settings.MaxObjectBytesPerCrash <= 0) return;
        List<MappedFile> mapped;
        try
        {
            mapped = MappedFile.Parse(File.ReadLines(Path.Join(process, "maps")));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return; // no process to read (gone, or a /proc made for a test): nothing was mapped
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            kept.Skip($"mapped objects: {Path.Join(process, "maps")} could not be read ({e.Message})");
            return;
        }

        if (mapped.Count > MaxObjects) kept.Skip($"mapped objects: {mapped.Count - MaxObjects} files past the first {MaxObjects} were not looked at");
        using var containerRoot = LibC.OpenDirectoryPath(Path.Join(process, "root"));
        var budget = settings.MaxObjectBytesPerCrash;
        var seen = new HashSet<(ulong, ulong)>();
        foreach (var file in mapped.Take(MaxObjects))
        {
            using var from = LibC.OpenMappedFile(Path.Join(process, "map_files", file.Range));
            if (from is null || StoreDirectory.StatusOf(from) is not { } status || !seen.Add((status.Device, status.Inode))) continue;
            var readable = DescriptorPath(from);
            if (ElfBuildId.Read(readable) is not { } buildId) continue;

            string sha256;
            if (executable is { } exe && exe.Status.Device == status.Device && exe.Status.Inode == status.Inode && exe.BuildId == buildId)
            {
                sha256 = exe.Sha256;
            }
            else if (KeepWithin(root, ExecutableCopies.Folder, from, buildId, file.Path, ref budget, kept) is { } copied)
            {
                sha256 = copied;
            }
            else
            {
                continue;
            }

            var debugSha256 = containerRoot is null ? null : KeepDebugFile(root, containerRoot, file.Path, buildId, ElfDebugLink.Read(readable), status, ref budget, kept);
            kept.Add(new MappedObject(file.Path, buildId, sha256, debugSha256));
        }
    }

    /// <summary>
    /// Where a debug file for the object at <paramref name="path"/> (as its process saw it) may be, in
    /// the order gdb looks: by build-id under <c>/usr/lib/debug/.build-id/</c>, then by its
    /// <c>.gnu_debuglink</c> name beside it, in <c>.debug/</c> beside it and under <c>/usr/lib/debug</c>.
    /// </summary>
    public static IEnumerable<string> DebugFileCandidates(string path, string buildId, string? debugLink)
    {
        if (ExecutableCopies.IsBuildId(buildId) && buildId.Length > 2) yield return $"{DebugRoot}/.build-id/{buildId[..2]}/{buildId[2..]}.debug";
        if (debugLink is null || !ElfDebugLink.IsPlainName(debugLink) || Path.GetDirectoryName(path) is not { } directory) yield break;
        yield return Path.Join(directory, debugLink);
        yield return Path.Join(directory, ".debug", debugLink);
        yield return Path.Join(DebugRoot + directory, debugLink);
    }

    /// <summary>The SHA-256 of the debug file kept for the object, or null when its container has none that carries its build-id.</summary>
    private string? KeepDebugFile(StoreDirectory root, Microsoft.Win32.SafeHandles.SafeFileHandle containerRoot, string path, string buildId, string? debugLink, FileStatus objectStatus, ref long budget, KeepingProgress kept)
    {
        foreach (var candidate in DebugFileCandidates(path, buildId, debugLink))
        {
            using var debug = LibC.OpenInRoot(containerRoot, candidate);
            if (debug is null || StoreDirectory.StatusOf(debug) is not { } status) continue;
            if ((status.Device == objectStatus.Device && status.Inode == objectStatus.Inode) || ElfBuildId.Read(DescriptorPath(debug)) != buildId) continue;
            return KeepWithin(root, DebugInfoCopies.Folder, debug, buildId, candidate, ref budget, kept);
        }

        return null;
    }

    /// <summary>Keeps <paramref name="from"/> when it fits in what is left of the budget; the SHA-256 of the copy, or null (and why, in <paramref name="kept"/>).</summary>
    private string? KeepWithin(StoreDirectory root, string folder, FileStream from, string buildId, string path, ref long budget, KeepingProgress kept)
    {
        var size = from.Length;
        if (size > budget)
        {
            kept.Skip($"{path}: {size.ToString(CultureInfo.InvariantCulture)} bytes, more than is left of MaxObjectBytesPerCrash ({budget.ToString(CultureInfo.InvariantCulture)} of {settings.MaxObjectBytesPerCrash.ToString(CultureInfo.InvariantCulture)} bytes)");
            return null;
        }

        budget -= size;
        var (sha256, copy, note) = copies.Keep(root, folder, from, buildId, budget + size);
        if (copy is null && note is not null) kept.Skip($"{path}: not kept, {note}");
        return copy is null ? null : sha256;
    }

    // The very file already opened (and checked to be a regular one), for readers that take a path.
    private static string DescriptorPath(FileStream file) => $"/proc/self/fd/{file.SafeFileHandle.DangerousGetHandle()}";
}
