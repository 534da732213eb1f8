using System.Text;

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

    /// <summary><paramref name="text"/> with every control character (C0, DEL, C1) shown as <c>\xNN</c>, so a terminal prints it and obeys none of it.</summary>
    public static string Printable(string text)
    {
        if (!text.Any(char.IsControl)) return text;
        var shown = new StringBuilder(text.Length + 16);
        foreach (var c in text) shown.Append(char.IsControl(c) ? $"\\x{(int)c:x2}" : c);
        return shown.ToString();
    }

    /// <summary>A file name for a hand-over directory from a tenant's path: its basename, ASCII letters, digits and <c>._-+</c> only, at most <see cref="MaxNameChars"/>.</summary>
    public static string FileName(string prefix, string? path)
    {
        var name = new string([.. Path.GetFileName(path ?? "").Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or '+' ? c : '_').Take(MaxNameChars)]);
        return prefix + (name.Trim('.').Length == 0 ? "none" : name);
    }
}
