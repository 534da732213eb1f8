namespace CoreFileProfiler;

/// <summary>A core (or other file) a session offers.</summary>
/// <param name="Path">Relative to the session's directory, with '/' separators; the download URL's tail.</param>
/// <param name="Size">Bytes on disk.</param>
/// <param name="Modified">Last write time.</param>
/// <param name="Container">The container it belongs to, when the core store layout says so.</param>
[GenerateSerializer, Immutable]
public sealed record SessionFile(
    [property: Id(0)] string Path,
    [property: Id(1)] long Size,
    [property: Id(2)] DateTimeOffset Modified,
    [property: Id(3)] string? Container);
