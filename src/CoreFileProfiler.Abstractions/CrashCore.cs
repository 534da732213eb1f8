namespace CoreFileProfiler;

/// <summary>A core of a crash group still on disk.</summary>
/// <param name="Path">Absolute on <paramref name="Node"/>: what a processor call's <c>filepath</c> takes.</param>
/// <param name="Time">When the process crashed.</param>
[GenerateSerializer, Immutable]
public sealed record CrashCore(
    [property: Id(0)] string Node,
    [property: Id(1)] string Path,
    [property: Id(2)] DateTimeOffset Time);
