namespace CoreFileProfiler;

/// <summary>A file a session may hand out, resolved on its node.</summary>
/// <param name="Node">The node whose disk holds it.</param>
/// <param name="Path">The session's name for it (what <c>ReadFile</c> takes).</param>
/// <param name="FullPath">Absolute, symlink-free path on that node.</param>
/// <param name="Size">Bytes on disk.</param>
/// <param name="Modified">Last write time (for ETag and Last-Modified).</param>
/// <param name="Compressed">A zstd core, served decompressed and so without ranges.</param>
/// <param name="ServedLength">Bytes a download gets: the size, or for a compressed core its original size when known.</param>
[GenerateSerializer, Immutable]
public sealed record DownloadableFile(
    [property: Id(0)] string Node,
    [property: Id(1)] string Path,
    [property: Id(2)] string FullPath,
    [property: Id(3)] long Size,
    [property: Id(4)] DateTimeOffset Modified,
    [property: Id(5)] bool Compressed,
    [property: Id(6)] long? ServedLength)
{
    /// <summary>The name a browser saves it under.</summary>
    public string DownloadName => System.IO.Path.GetFileName(Compressed && FullPath.EndsWith(".zst", StringComparison.Ordinal) ? FullPath[..^4] : FullPath);
}
