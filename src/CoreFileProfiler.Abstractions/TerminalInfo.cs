namespace CoreFileProfiler;

/// <summary>A gdb terminal of a session.</summary>
/// <param name="Id">Unique within the session; part of the terminal's URL.</param>
/// <param name="Target">The core file or pid gdb debugs.</param>
/// <param name="Pid">gdb's own pid on the node.</param>
/// <param name="Viewers">Connected viewers now.</param>
/// <param name="EndReason">Why it ended (gdb exited, the session ended); null while it runs.</param>
/// <param name="WatchId">The id of its read-only watch link (<c>/watch/&lt;id&gt;/</c>), for those who hold the session.</param>
/// <param name="AttachedPid">The live process gdb is attached to (admins only, audited); null for a core.</param>
/// <param name="MaxViewers">Viewers it admits at once (its node's <c>Profiler:MaxViewersPerTerminal</c>).</param>
[GenerateSerializer, Immutable]
public sealed record TerminalInfo(
    [property: Id(0)] string Id,
    [property: Id(1)] string Target,
    [property: Id(2)] int Pid,
    [property: Id(3)] int Viewers,
    [property: Id(4)] DateTimeOffset StartedAt,
    [property: Id(5)] string? EndReason,
    [property: Id(6)] string WatchId,
    [property: Id(7)] int? AttachedPid = null,
    [property: Id(8)] int MaxViewers = 0);
