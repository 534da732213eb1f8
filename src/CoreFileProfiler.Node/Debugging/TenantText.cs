namespace CoreFileProfiler.Node.Debugging;

/// <summary>
/// Names a tenant chose (its executable's path, as the collector's metadata keeps it) on their way
/// into a terminal and a hand-over directory: they may hold escape sequences and be as long as a
/// path may be.
/// </summary>
public static class TenantText
{
    /// <summary>Longest basename kept in a hand-over file's name: with its prefix, far below NAME_MAX (255 bytes).</summary>
    public const int MaxNameChars = 64;

    /// <summary>A file name for a hand-over directory from a tenant's path: its basename, ASCII letters, digits and <c>._-+</c> only, at most <see cref="MaxNameChars"/>.</summary>
    public static string FileName(string prefix, string? path)
    {
        var name = new string([.. Path.GetFileName(path ?? "").Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or '+' ? c : '_').Take(MaxNameChars)]);
        return prefix + (name.Trim('.').Length == 0 ? "none" : name);
    }
}
