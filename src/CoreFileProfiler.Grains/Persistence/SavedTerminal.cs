namespace CoreFileProfiler.Grains.Persistence;

/// <summary>
/// A terminal as its session's storage keeps it: no gdb, no scrollback, only enough for a viewer who
/// comes back after a restart to learn why it ended, and for its watch link to lead there.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record SavedTerminal(
    [property: Id(0)] string Id,
    [property: Id(1)] string Target,
    [property: Id(2)] DateTimeOffset StartedAt,
    [property: Id(3)] string WatchId,
    [property: Id(4)] int? AttachedPid)
{
    /// <summary>What a terminal of an earlier process of the node is now: ended, gdb and viewers gone.</summary>
    public TerminalInfo DescribeEnded(string reason) => new(Id, Target, 0, 0, StartedAt, reason, WatchId, AttachedPid);
}
