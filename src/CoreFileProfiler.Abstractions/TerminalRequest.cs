namespace CoreFileProfiler;

/// <summary>What a new gdb terminal debugs: one of the session's files, or one of its processes.</summary>
[GenerateSerializer, Immutable]
public sealed record TerminalRequest([property: Id(0)] string? File, [property: Id(1)] int? Pid);
