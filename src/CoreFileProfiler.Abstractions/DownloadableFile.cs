namespace CoreFileProfiler;

/// <summary>A file a session may hand out, resolved on its node.</summary>
/// <param name="Node">The node whose disk holds it.</param>
/// <param name="FullPath">Absolute, symlink-free path on that node.</param>
/// <param name="Size">Bytes.</param>
/// <param name="Modified">Last write time (for ETag and Last-Modified).</param>
[GenerateSerializer, Immutable]
public sealed record DownloadableFile(
    [property: Id(0)] string Node,
    [property: Id(1)] string FullPath,
    [property: Id(2)] long Size,
    [property: Id(3)] DateTimeOffset Modified);
