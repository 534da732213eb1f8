namespace CoreFileProfiler;

/// <summary>A core (or other file) a session offers.</summary>
/// <param name="Path">Relative to the session's directory, with '/' separators; the download URL's tail.</param>
/// <param name="Size">Bytes on disk.</param>
/// <param name="Modified">Last write time.</param>
/// <param name="Container">The container it belongs to, when the core store layout says so.</param>
/// <param name="Signal">The signal that killed the process, from the collector's metadata.</param>
/// <param name="Exe">The crashed program, from the metadata.</param>
/// <param name="Truncated">The core was cut short (a size limit, the free-space floor).</param>
/// <param name="Summary">The crash report's one line (<see cref="CrashReport.Summary"/>), once it exists.</param>
/// <param name="Signature">The crash report's signature, once it exists.</param>
[GenerateSerializer, Immutable]
public sealed record SessionFile(
    [property: Id(0)] string Path,
    [property: Id(1)] long Size,
    [property: Id(2)] DateTimeOffset Modified,
    [property: Id(3)] string? Container,
    [property: Id(4)] int? Signal = null,
    [property: Id(5)] string? Exe = null,
    [property: Id(6)] bool Truncated = false,
    [property: Id(7)] string? Summary = null,
    [property: Id(8)] string? Signature = null);
