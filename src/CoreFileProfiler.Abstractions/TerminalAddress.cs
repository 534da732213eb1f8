namespace CoreFileProfiler;

/// <summary>Where a terminal lives: its session and its id there. What a watch id leads to, known only inside the cluster.</summary>
[GenerateSerializer, Immutable]
public sealed record TerminalAddress([property: Id(0)] string SessionId, [property: Id(1)] string TerminalId);
