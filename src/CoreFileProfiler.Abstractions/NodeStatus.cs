namespace CoreFileProfiler;

/// <summary>A node as its profiler sees it.</summary>
[GenerateSerializer, Immutable]
public sealed record NodeStatus(
    [property: Id(0)] string Node,
    [property: Id(1)] int LiveSessions,
    [property: Id(2)] int MaxSessions);
