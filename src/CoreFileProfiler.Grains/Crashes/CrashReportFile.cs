using System.Text.Json;
using CoreFileProfiler.Store;

namespace CoreFileProfiler.Grains.Crashes;

/// <summary>
/// A core's <see cref="CrashReport"/> beside it (<see cref="StoreLayout.CrashReportName"/>), written
/// and read as the store's metadata is: root-only, under a dot-name until complete, published by a
/// rename that replaces whatever had its name, and reached through no symlink.
/// </summary>
public static class CrashReportFile
{
    // Ours, and far larger than any: a bigger file is not a report of ours.
    private const long MaxBytes = 1 << 20;

    /// <summary>The report's path for a core's path (compressed or not).</summary>
    public static string PathFor(string corePath) =>
        Path.Join(Path.GetDirectoryName(corePath), StoreLayout.CrashReportName(Path.GetFileName(corePath)));

    /// <summary>Whether the core at an absolute, symlink-free path has a report.</summary>
    public static bool Exists(string corePath)
    {
        using var file = StoreDirectory.OpenFileAt(PathFor(corePath));
        return file is not null;
    }

    /// <summary>The report of a core; null when it has none or it cannot be read.</summary>
    public static CrashReport? ReadFor(string corePath)
    {
        try
        {
            using var file = StoreDirectory.OpenFileAt(PathFor(corePath));
            return file is null || file.Length > MaxBytes ? null : JsonSerializer.Deserialize(file, CrashJson.Default.CrashReport);
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException or NotSupportedException)
        {
            return null;
        }
    }

    /// <exception cref="SymlinkInStoreException">The core's directory is reached through a symlink now.</exception>
    public static void WriteFor(string corePath, CrashReport report)
    {
        using var directory = StoreDirectory.OpenDirectoryAt(Path.GetDirectoryName(corePath)!)
            ?? throw new DirectoryNotFoundException($"{Path.GetDirectoryName(corePath)} is gone.");
        var name = StoreLayout.CrashReportName(Path.GetFileName(corePath));
        var (temporary, file) = directory.CreateTemporary(name);
        using (file)
        {
            JsonSerializer.Serialize(file, report, CrashJson.Default.CrashReport);
        }

        directory.Replace(temporary, name);
    }
}
