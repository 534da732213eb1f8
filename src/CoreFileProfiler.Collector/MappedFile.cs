using System.Globalization;

namespace CoreFileProfiler.Collector;

/// <summary>
/// One file a process had mapped, from a line of <c>/proc/&lt;pid&gt;/maps</c>: the first address range
/// that maps it (which names it in <c>map_files/</c>), its device and inode, and its path as the
/// process saw it.
/// </summary>
public sealed record MappedFile(string Range, string Device, ulong Inode, string Path)
{
    /// <summary>Each file-backed mapping's file once (by device and inode), in the order mapped; anonymous and special mappings are left out.</summary>
    public static List<MappedFile> Parse(IEnumerable<string> lines)
    {
        var files = new List<MappedFile>();
        var seen = new HashSet<(string, ulong)>();
        foreach (var line in lines)
        {
            // start-end perms offset dev inode [path]; the path may hold spaces
            var fields = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 6 || !ulong.TryParse(fields[4], NumberStyles.None, CultureInfo.InvariantCulture, out var inode) || inode == 0) continue;
            var path = fields[5].TrimStart();
            if (!path.StartsWith('/') || !IsRange(fields[0]) || !seen.Add((fields[3], inode))) continue;
            files.Add(new MappedFile(fields[0], fields[3], inode, path));
        }

        return files;
    }

    /// <summary><c>start-end</c> in hex, as map_files names it: nothing else reaches a path.</summary>
    private static bool IsRange(string range) =>
        range.Split('-') is [var start, var end] && start.Length > 0 && end.Length > 0 && (start + end).All(char.IsAsciiHexDigitLower);
}
