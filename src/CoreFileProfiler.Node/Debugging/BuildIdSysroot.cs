using CoreFileProfiler.Node.Sandbox;
using CoreFileProfiler.Store;

namespace CoreFileProfiler.Node.Debugging;

/// <summary>
/// Gives a sandboxed gdb the objects the collector kept for a core (docs/architecture.md, Build-id
/// store): each copy checked by build-id and SHA-256 (<see cref="ExecutableCopyCheck"/>) and
/// hard-linked into the hand-over's sysroot at the path the process saw, each debug file under the
/// hand-over's <c>debuginfo/.build-id/</c>. Returns gdb's settings for them and the banner's line.
/// </summary>
public sealed class BuildIdSysroot(ExecutableCopyCheck copies)
{
    // As many as a hand-over's sysroot takes from a running container.
    private const int MappedObjectLimit = 1024;

    /// <summary>What one core's objects gave gdb.</summary>
    /// <param name="Settings">gdb commands (<c>-iex</c>): sysroot, solib-search-path and debug-file-directory inside the hand-over.</param>
    /// <param name="Announcement">Where symbols came from, for people; null when the core names no kept object.</param>
    public sealed record Result(IReadOnlyList<string> Settings, string? Announcement);

    /// <param name="given">The hand-over directory as gdb reaches it.</param>
    public Result HandOver(HandOverDirectory handOver, CoreMetadata? metadata, string given)
    {
        if (metadata?.Objects is not { Count: > 0 } objects) return new([], null);
        int linked = 0, debugFiles = 0;
        var refused = new List<string>();
        var searchPath = new List<string>();
        foreach (var kept in objects.Take(MappedObjectLimit))
        {
            if (HandOverDirectory.SysrootPathFor(kept.Path) is not { } relative)
            {
                refused.Add($"{TenantText.Printable(kept.Path)}: not a path a sysroot may hold");
                continue;
            }

            var (copy, status, why) = copies.Verify(ExecutableCopies.Folder, kept.BuildId, kept.Sha256);
            if (copy is null || status is null)
            {
                refused.Add($"{TenantText.Printable(kept.Path)}: {why}");
                continue;
            }

            try
            {
                if (handOver.AddToSysroot(copy, kept.Path, status.Value) is null) continue;
            }
            catch (IOException e)
            {
                refused.Add($"{TenantText.Printable(kept.Path)}: {e.Message}");
                continue;
            }

            linked++;
            // gdb asks for a library by the name its loader used (/lib/… where the process saw /usr/lib/…): found by file name here.
            var directory = Path.GetDirectoryName(relative);
            if (directory is { Length: > 0 } && !directory.Contains(':') && !searchPath.Contains(directory)) searchPath.Add(directory);

            if (kept.DebugSha256 is not { } debugSha256) continue;
            var (debug, debugStatus, debugWhy) = copies.Verify(DebugInfoCopies.Folder, kept.BuildId, debugSha256);
            if (debug is null || debugStatus is null)
            {
                refused.Add($"debug file of {TenantText.Printable(kept.Path)}: {debugWhy}");
                continue;
            }

            try
            {
                if (handOver.AddDebugFile(debug, kept.BuildId, debugStatus.Value) is not null) debugFiles++;
            }
            catch (IOException e)
            {
                refused.Add($"debug file of {TenantText.Printable(kept.Path)}: {e.Message}");
            }
        }

        var sysroot = $"{given}/{HandOverDirectory.Sysroot}";
        List<string> settings =
        [
            $"set sysroot {sysroot}",
            $"set solib-search-path {string.Join(':', searchPath.Select(d => $"{sysroot}/{d}"))}",
            $"set debug-file-directory {given}/{HandOverDirectory.DebugFiles}",
        ];
        var announcement = $"symbols: {Count(linked, "object")} and {Count(debugFiles, "debug file")} from the build-id store"
            + (refused.Count == 0 ? "." : $"; not used: {string.Join("; ", refused.Take(3))}{(refused.Count > 3 ? $" and {refused.Count - 3} more" : "")}.");
        return new(linked > 0 ? settings : [], announcement);
    }

    private static string Count(int count, string noun) => $"{count} {noun}{(count == 1 ? "" : "s")}";
}
