namespace CoreFileProfiler;

/// <summary>A node as its profiler sees it.</summary>
/// <param name="Containers">Running pod containers found on the node.</param>
/// <param name="Cores">Cores in the node's store.</param>
/// <param name="CoreBytes">Their size on disk.</param>
[GenerateSerializer, Immutable]
public sealed record NodeStatus(
    [property: Id(0)] string Node,
    [property: Id(1)] int LiveSessions,
    [property: Id(2)] int MaxSessions,
    [property: Id(3)] int Containers,
    [property: Id(4)] int Cores,
    [property: Id(5)] long CoreBytes);
