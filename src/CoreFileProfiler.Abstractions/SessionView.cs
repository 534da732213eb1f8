namespace CoreFileProfiler;

/// <summary>What a session shows its user right now (the page and <c>/api</c>).</summary>
[GenerateSerializer, Immutable]
public sealed record SessionView(
    [property: Id(0)] string Id,
    [property: Id(1)] string Node,
    [property: Id(2)] SessionType Type,
    [property: Id(3)] string Target,
    [property: Id(4)] DateTimeOffset CreatedAt,
    [property: Id(5)] DateTimeOffset ExpiresAt,
    [property: Id(6)] IReadOnlyList<SessionFile> Files,
    [property: Id(7)] IReadOnlyList<SessionProcess> Processes,
    [property: Id(8)] IReadOnlyList<TerminalInfo> Terminals);
