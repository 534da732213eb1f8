namespace CoreFileProfiler;

/// <summary>A core in a node's store, with what its metadata says (null where unknown).</summary>
/// <param name="Path">Absolute on the node: what a processor call's <c>filepath</c> takes.</param>
/// <param name="Time">When the process crashed (the metadata's time, else the file's).</param>
[GenerateSerializer, Immutable]
public sealed record CoreSummary(
    [property: Id(0)] string Node,
    [property: Id(1)] string? Namespace,
    [property: Id(2)] string? Pod,
    [property: Id(3)] string? Container,
    [property: Id(4)] string Path,
    [property: Id(5)] long Size,
    [property: Id(6)] DateTimeOffset Time,
    [property: Id(7)] int? Pid,
    [property: Id(8)] int? Signal,
    [property: Id(9)] string? Exe);
