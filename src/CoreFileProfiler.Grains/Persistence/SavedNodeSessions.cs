namespace CoreFileProfiler.Grains.Persistence;

/// <summary>
/// A node's registry as its storage keeps it: the live sessions (what counts against
/// <c>Profiler:MaxSessions</c> and what the cluster views list) and their terminals' watch links.
/// Ended sessions are not kept: an id issued before the node's profiler started and unknown to it
/// is answered as ended.
/// </summary>
[GenerateSerializer]
public sealed record SavedNodeSessions(
    [property: Id(0)] Dictionary<string, DateTimeOffset> LiveUntil,
    [property: Id(1)] Dictionary<string, TerminalAddress> Watches);
