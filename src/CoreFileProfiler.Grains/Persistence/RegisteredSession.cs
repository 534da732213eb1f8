namespace CoreFileProfiler.Grains.Persistence;

/// <summary>
/// One live session in its node's registry (<see cref="ISessionRegistry"/>): what counts against
/// <c>Profiler:MaxSessions</c> and what the cluster views list, and its terminals' watch links. Ended
/// sessions are not kept: an id issued before the node's profiler started and unknown to it is answered
/// as ended.
/// </summary>
/// <param name="Watches">Watch id → terminal id, of this session's terminals.</param>
[GenerateSerializer]
public sealed record RegisteredSession(
    [property: Id(0)] string SessionId,
    [property: Id(1)] DateTimeOffset LiveUntil,
    [property: Id(2)] Dictionary<string, string> Watches);
