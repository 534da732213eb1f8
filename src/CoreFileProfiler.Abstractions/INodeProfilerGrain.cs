using Orleans.Concurrency;

namespace CoreFileProfiler;

/// <summary>
/// One per node (key: node name), living on that node's silo: validates and opens sessions for
/// the node's cores and processes and keeps the node's limits.
/// </summary>
public interface INodeProfilerGrain : IGrainWithStringKey
{
    /// <summary>Validates the target on this node and opens a session; returns its id.</summary>
    Task<string> OpenSession(SessionRequest request);

    /// <summary>Sessions, containers and the core store's size.</summary>
    [AlwaysInterleave]
    Task<NodeStatus> GetStatus();

    /// <summary>The node's live sessions, oldest first.</summary>
    [AlwaysInterleave]
    Task<IReadOnlyList<SessionSummary>> ListSessions();

    /// <summary>The node's cores, newest first.</summary>
    [AlwaysInterleave]
    Task<IReadOnlyList<CoreSummary>> ListCores(CoreFilter filter);

    /// <summary>The node's crash groups (docs/architecture.md, Crash reports), most recent crash first.</summary>
    [AlwaysInterleave]
    Task<IReadOnlyList<CrashGroup>> ListCrashGroups();

    /// <summary>Told by a session when it ends, so its slot is freed and its URL answers 410.</summary>
    [OneWay]
    Task SessionEnded(string sessionId);

    /// <summary>
    /// Whether the node lists the session live: a session activating from a stored record asks, so a
    /// record put back in storage after its session ended (a replay) opens nothing.
    /// </summary>
    [AlwaysInterleave]
    Task<bool> IsLive(string sessionId);

    /// <summary>Whether a session of this node existed and has ended (410 rather than 404).</summary>
    [AlwaysInterleave]
    Task<bool> HasEnded(string sessionId);

    /// <summary>Makes a terminal's watch id resolvable; called by its session before the id is handed out.</summary>
    [AlwaysInterleave]
    Task AddWatch(string watchId, TerminalAddress terminal);

    /// <summary>Told by a session that dropped a terminal, so its watch link stops resolving.</summary>
    [OneWay]
    Task RemoveWatch(string watchId);

    /// <summary>
    /// The terminal a watch id of this node shows. It resolves as long as the node remembers the
    /// session (which then says whether it has ended); NotFound for ids it never issued, Gone for
    /// ids of an earlier life of the node.
    /// </summary>
    [AlwaysInterleave]
    Task<TerminalAddress> FindWatch(string watchId);

    /// <summary>
    /// The object of that build-id and kind this node keeps (docs/architecture.md, Build-id store), checked
    /// to carry that build-id; null when the node has none. How any gateway serves any node's objects.
    /// </summary>
    [AlwaysInterleave]
    Task<KeptObject?> FindKeptObject(string buildId, BuildIdKind kind);

    /// <summary>That object's bytes from <paramref name="offset"/>, at most <paramref name="length"/> of them, in chunks, from the copy of content <paramref name="sha256"/> the lookup found; NotFound when it is gone.</summary>
    IAsyncEnumerable<byte[]> ReadKeptObject(string buildId, BuildIdKind kind, string sha256, long offset, long length, CancellationToken cancellationToken = default);
}
