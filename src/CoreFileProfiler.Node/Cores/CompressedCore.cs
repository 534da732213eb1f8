using ZstdSharp;

namespace CoreFileProfiler.Node.Cores;

/// <summary>
/// Cores the collector compressed (<c>&lt;pid&gt;_&lt;time&gt;.zst</c>, zstd). People and gdb get the
/// plain core: downloads decompress on the fly, gdb gets a decompressed copy.
/// </summary>
public static class CompressedCore
{
    public const string Extension = ".zst";

    public static bool IsCompressed(string path) => path.EndsWith(Extension, StringComparison.Ordinal);

    /// <summary>The name the core has uncompressed.</summary>
    public static string Uncompressed(string path) => IsCompressed(path) ? path[..^Extension.Length] : path;

    /// <summary>A zstd stream that writes <paramref name="file"/> compressed (fast level: the crash is waiting).</summary>
    public static Stream Compress(Stream file) => new CompressionStream(file, level: 3);

    public static Stream OpenDecompressed(string path) => new DecompressionStream(File.OpenRead(path));

    /// <summary>
    /// Decompresses into a hidden directory of the core store (the same disk as the cores, not a
    /// RAM-backed /tmp) and returns the copy's path; the caller deletes it when done.
    /// </summary>
    public static string DecompressCopy(string path, string coreRoot)
    {
        var directory = Path.Join(coreRoot, ".decompressed", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var copy = Path.Join(directory, Path.GetFileName(Uncompressed(path)));
        using (var source = OpenDecompressed(path))
        using (var target = new FileStream(copy, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite }))
        {
            source.CopyTo(target, 1 << 20);
        }

        return copy;
    }

    public static void DeleteCopy(string copy) => Directory.Delete(Path.GetDirectoryName(copy)!, recursive: true);
}
