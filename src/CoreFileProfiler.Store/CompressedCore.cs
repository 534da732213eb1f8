using ZstdSharp;

namespace CoreFileProfiler.Store;

/// <summary>
/// Cores the collector compressed (<c>&lt;pid&gt;_&lt;time&gt;.zst</c>, zstd). People and gdb get the
/// plain core: downloads decompress on the fly, gdb gets a decompressed copy in its hand-over directory.
/// </summary>
public static class CompressedCore
{
    public const string Extension = ".zst";

    public static bool IsCompressed(string path) => path.EndsWith(Extension, StringComparison.Ordinal);

    /// <summary>The name the core has uncompressed.</summary>
    public static string Uncompressed(string path) => IsCompressed(path) ? path[..^Extension.Length] : path;

    /// <summary>A zstd stream that writes <paramref name="file"/> compressed (fast level: the crash is waiting).</summary>
    public static Stream Compress(Stream file) => new CompressionStream(file, level: 3);

    /// <summary>The plain core of a store file at an absolute, symlink-free path (opened through no symlink).</summary>
    public static Stream OpenDecompressed(string path) => new DecompressionStream(StoreDirectory.OpenExistingFileAt(path));
}
