namespace CoreFileProfiler;

/// <summary>A live session as the cluster views list it: what it is for and who is in it, without its files.</summary>
[GenerateSerializer, Immutable]
public sealed record SessionSummary(
    [property: Id(0)] string Id,
    [property: Id(1)] string Node,
    [property: Id(2)] SessionType Type,
    [property: Id(3)] string Target,
    [property: Id(4)] DateTimeOffset CreatedAt,
    [property: Id(5)] DateTimeOffset ExpiresAt,
    [property: Id(6)] IReadOnlyList<TerminalInfo> Terminals);
