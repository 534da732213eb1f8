using System.Runtime.CompilerServices;
using CoreFileProfiler.Grains.Crashes;
using CoreFileProfiler.Grains.Persistence;
using CoreFileProfiler.Grains.Placement;
using CoreFileProfiler.Node;
using CoreFileProfiler.Node.Containers;
using CoreFileProfiler.Node.Cores;
using CoreFileProfiler.Node.Processes;
using CoreFileProfiler.Node.Telemetry;
using CoreFileProfiler.Store;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;

namespace CoreFileProfiler.Grains;

/// <summary>The profiler of one node; see <see cref="INodeProfilerGrain"/>.</summary>
/// <remarks>
/// Reentrant: opening a session waits on disk, Docker and the new session's activation, and one
/// slow open must not queue every other caller behind it. Each method's state changes happen
/// between awaits. The live sessions and their watch links are kept in the node's <see cref="ISessionRegistry"/>,
/// one entry per session, so after the silo restarts the node's limit, its lists and its watch links carry on
/// where they were, and opening a session costs the same however many are live.
/// </remarks>
[NodePlacement, KeepAlive, Reentrant]
public sealed class NodeProfilerGrain(
    ISessionRegistry registry,
    IOptions<ProfilerOptions> options,
    CoreStore store,
    ContainerLocator containers,
    ProcessTable processes,
    CoreRetention retention,
    CrashGroups crashGroups,
    KeptObjects keptObjects,
    ProfilerMetrics metrics,
    TimeProvider time,
    ILogger<NodeProfilerGrain> logger) : Grain, INodeProfilerGrain
{
    // Long enough that a user coming back to an old link learns it expired rather than never existed.
    private static readonly TimeSpan RememberEnded = TimeSpan.FromDays(1);
    private const int MaxRememberedEnded = 10_000;
    private static readonly TimeSpan RetentionPeriod = TimeSpan.FromMinutes(5);

    private readonly Dictionary<string, DateTimeOffset> _liveUntil = [];

    // Ended ids, oldest first: sessions end roughly in order, so eviction is from the front.
    private readonly HashSet<string> _ended = [];
    private readonly Queue<(string Id, DateTimeOffset EndedAt)> _endedOrder = new();

    // Watch links of this node's terminals, kept while the node remembers their session, so a link
    // answers what its session does (410 once ended); by session too, to forget them with it.
    private readonly Dictionary<string, TerminalAddress> _watches = [];
    private readonly Dictionary<string, HashSet<string>> _watchesBySession = [];

    private DateTimeOffset _startedAt;

    private string Node => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // Placement guarantees this; checking it means a misconfigured cluster can never serve one node's files as another's.
        if (Node != options.Value.NodeName)
        {
            throw new InvalidOperationException($"NodeProfilerGrain for '{Node}' activated on the silo of '{options.Value.NodeName}'.");
        }

        _startedAt = time.GetUtcNow();

        // Retention runs soon after start (the readiness probe activates this grain) and then every few minutes.
        this.RegisterGrainTimer(EnforceRetention, new GrainTimerCreationOptions(TimeSpan.FromSeconds(5), RetentionPeriod));

        var registered = await registry.ReadAllAsync(Node);
        if (registered.Count > 0)
        {
            foreach (var entry in registered)
            {
                _liveUntil[entry.SessionId] = entry.LiveUntil;
                foreach (var (watchId, terminalId) in entry.Watches) Track(watchId, new TerminalAddress(entry.SessionId, terminalId));
            }

            metrics.LiveSessions(_liveUntil.Count);
            // After this activation, not in it: a session waking may call back here.
            var restored = _liveUntil.Keys.ToList();
            this.RegisterGrainTimer(_ => WakeRestoredSessionsAsync(restored), new GrainTimerCreationOptions(TimeSpan.Zero, Timeout.InfiniteTimeSpan));
        }
    }

    public async Task<string> OpenSession(SessionRequest request)
    {
        // 400/404 now, before any session exists.
        if (request.Type == SessionType.Gcore) await containers.ResolveProcessesAsync(processes, request);
        else store.ResolveCores(request);

        var now = time.GetUtcNow();
        if (_liveUntil.Count >= options.Value.MaxSessions) ForgetExpired(now);
        if (_liveUntil.Count >= options.Value.MaxSessions)
        {
            throw ProfilerException.Unavailable($"Node '{Node}' has reached its limit of {options.Value.MaxSessions} live sessions; try again when one ends.");
        }

        // The slot is taken before the session starts: calls interleave, and the limit must hold.
        var id = SessionId.Create(Node, now);
        var expiresAt = now.AddSeconds(request.ExpirationSeconds);
        _liveUntil[id] = expiresAt;
        metrics.LiveSessions(_liveUntil.Count);
        try
        {
            // Saved before the session exists, so a restart in between cannot leave a session the limit does not count.
            await SaveEntryAsync(id);
            await GrainFactory.GetGrain<IDebugSessionGrain>(SessionId.GrainKey(Node, id)).Start(request, now, expiresAt);
        }
        catch
        {
            _liveUntil.Remove(id);
            metrics.LiveSessions(_liveUntil.Count);
            await TryRemoveEntryAsync(id);
            throw;
        }

        logger.LogInformation(
            "Session {SessionHash} opened on {Node}: {SessionType} {Target} until {ExpiresAt}",
            CapabilityHash.Of(id), Node, request.Type, request.Target, expiresAt);
        return id;
    }

    public async Task<NodeStatus> GetStatus()
    {
        ForgetExpired(time.GetUtcNow());
        var live = _liveUntil.Count;
        var running = await containers.ListAsync();
        var cores = await Task.Run(store.ListAll); // disk work off the grain's scheduler
        return new NodeStatus(Node, live, options.Value.MaxSessions, running.Count, cores.Count, cores.Sum(c => c.Size));
    }

    public async Task<IReadOnlyList<SessionSummary>> ListSessions()
    {
        ForgetExpired(time.GetUtcNow());
        var summaries = await Task.WhenAll(_liveUntil.Keys.ToList().Select(id => GrainFactory.GetSession(id).Summarize()));
        return summaries.OfType<SessionSummary>().OrderBy(s => s.CreatedAt).ToList();
    }

    public Task<IReadOnlyList<CoreSummary>> ListCores(CoreFilter filter) =>
        Task.Run<IReadOnlyList<CoreSummary>>(() => store.ListAll()
            .Where(core => filter.Matches(core.Pod?.Namespace, core.Pod?.Pod, core.Pod?.Container))
            .Select(core => (Core: core, Metadata: CoreMetadata.ReadFor(core.FullPath)))
            .Select(c => new CoreSummary(
                Node, c.Core.Pod?.Namespace, c.Core.Pod?.Pod, c.Core.Pod?.Container, c.Core.FullPath, c.Core.Size,
                c.Metadata?.Time ?? c.Core.Modified, c.Metadata?.Pid, c.Metadata?.Signal, c.Metadata?.Exe))
            .ToList());

    // Reads the store (which of the kept cores are still there): off the grain's scheduler.
    public Task<IReadOnlyList<CrashGroup>> ListCrashGroups() => Task.Run(crashGroups.List);

    public async Task SessionEnded(string sessionId)
    {
        if (!_liveUntil.Remove(sessionId)) return;
        Remember(sessionId, time.GetUtcNow());
        metrics.LiveSessions(_liveUntil.Count);
        await TryRemoveEntryAsync(sessionId);
    }

    public Task<bool> IsLive(string sessionId) => Task.FromResult(_liveUntil.ContainsKey(sessionId));

    /// <remarks>An id issued before this profiler started belongs to an earlier life of the node: its session is gone.</remarks>
    public Task<bool> HasEnded(string sessionId) =>
        Task.FromResult(_ended.Contains(sessionId) || SessionId.IssuedAt(sessionId) < _startedAt.AddSeconds(-1));

    public async Task AddWatch(string watchId, TerminalAddress terminal)
    {
        Track(watchId, terminal);
        // The link works without this; saved, it still leads to its terminal after a restart.
        await TrySaveEntryAsync(terminal.SessionId);
    }

    public async Task RemoveWatch(string watchId)
    {
        if (!_watches.Remove(watchId, out var terminal)) return;
        if (_watchesBySession.TryGetValue(terminal.SessionId, out var ofSession))
        {
            ofSession.Remove(watchId);
            if (ofSession.Count == 0) _watchesBySession.Remove(terminal.SessionId);
        }

        await TrySaveEntryAsync(terminal.SessionId);
    }

    public Task<TerminalAddress> FindWatch(string watchId)
    {
        if (_watches.TryGetValue(watchId, out var terminal)) return Task.FromResult(terminal);
        throw WatchId.IssuedAt(watchId) < _startedAt.AddSeconds(-1)
            ? ProfilerException.Gone("This watch link has ended: its node restarted.")
            : ProfilerException.NotFound("No such watch link.");
    }

    // The store is read on the thread pool: a node's objects are looked up by every gateway of the cluster.
    public Task<KeptObject?> FindKeptObject(string buildId, BuildIdKind kind) => Task.Run(() =>
    {
        using var copy = keptObjects.Open(buildId, kind);
        return copy is not null && StoreDirectory.StatusOf(copy.File) is { } status ? new KeptObject(Node, status.Size, status.Modified, copy.Sha256) : null;
    });

    public async IAsyncEnumerable<byte[]> ReadKeptObject(string buildId, BuildIdKind kind, string sha256, long offset, long length, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var copy = await Task.Run(() => keptObjects.Open(buildId, kind), cancellationToken);
        // The copy the lookup found, or none: never another one planted since under the same build-id.
        if (copy is null || copy.Sha256 != sha256) throw ProfilerException.NotFound($"This node no longer keeps that {kind.ToString().ToLowerInvariant()} of build-id {buildId}.");
        var file = copy.File;
        await foreach (var chunk in FileChunks.ReadAsync(file, offset, length, cancellationToken))
        {
            yield return chunk;
        }
    }

    private void Track(string watchId, TerminalAddress terminal)
    {
        _watches[watchId] = terminal;
        if (!_watchesBySession.TryGetValue(terminal.SessionId, out var ofSession)) _watchesBySession[terminal.SessionId] = ofSession = [];
        ofSession.Add(watchId);
    }

    /// <summary>
    /// What to keep of a live session: its time and its watch links (ended ones are known from their ids'
    /// age after a restart, see <see cref="HasEnded"/>). Expired ones still registered are woken and
    /// forgotten on the next start.
    /// </summary>
    private RegisteredSession Entry(string sessionId) => new(
        sessionId,
        _liveUntil[sessionId],
        _watchesBySession.TryGetValue(sessionId, out var watches) ? watches.ToDictionary(w => w, w => _watches[w].TerminalId) : []);

    /// <summary>Registers a session before it may be handed out; a storage failure is a 503: it is not durable.</summary>
    private async Task SaveEntryAsync(string sessionId)
    {
        try
        {
            await registry.SaveAsync(Node, Entry(sessionId));
        }
        catch (Exception e) when (e is not ProfilerException)
        {
            logger.LogWarning(e, "Registering a session on {Node} failed", Node);
            throw SessionStorage.Unreachable();
        }
    }

    /// <summary>A change worth keeping but not worth failing a call for (a watch link); the entry is rewritten whole on its next change.</summary>
    private async Task TrySaveEntryAsync(string sessionId)
    {
        if (!_liveUntil.ContainsKey(sessionId)) return;
        try
        {
            await SaveEntryAsync(sessionId);
        }
        catch (ProfilerException)
        {
            // logged by SaveEntryAsync; the change holds in memory
        }
    }

    /// <summary>A failure leaves an entry that the next start wakes and forgets.</summary>
    private async Task TryRemoveEntryAsync(string sessionId)
    {
        try
        {
            await registry.RemoveAsync(Node, sessionId);
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Removing a session from {Node}'s registry failed", Node);
        }
    }

    /// <summary>
    /// Activates each session restored from storage, so that it restarts its expiry timer (or ends, when
    /// its time passed while the node was down) without waiting for a visitor; one that no longer lives
    /// (its record is gone) frees its slot.
    /// </summary>
    private async Task WakeRestoredSessionsAsync(IReadOnlyList<string> restored)
    {
        try
        {
            var answers = await Task.WhenAll(restored.Select(async id => (Id: id, Summary: await GrainFactory.GetSession(id).Summarize())));
            var now = time.GetUtcNow();
            var forgotten = new List<string>();
            foreach (var (id, _) in answers.Where(a => a.Summary is null))
            {
                if (!_liveUntil.Remove(id)) continue;
                Remember(id, now);
                forgotten.Add(id);
            }

            metrics.LiveSessions(_liveUntil.Count);
            await Task.WhenAll(forgotten.Select(TryRemoveEntryAsync));
            logger.LogInformation("{Node} restored {Live} live sessions from storage", Node, _liveUntil.Count);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogWarning(e, "{Node} could not wake its restored sessions; each restores itself on its next request", Node);
        }
    }

    private async Task EnforceRetention(CancellationToken cancellationToken)
    {
        try
        {
            await Task.Run(retention.Enforce, cancellationToken); // disk work off the grain's scheduler
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            logger.LogWarning(e, "Retention on {Node} failed; it tries again in {Period}", Node, RetentionPeriod);
        }
    }

    /// <summary>A session whose end notice was lost still frees its slot once its time is up.</summary>
    private void ForgetExpired(DateTimeOffset now)
    {
        foreach (var (id, until) in _liveUntil.Where(s => s.Value <= now).ToList())
        {
            _liveUntil.Remove(id);
            Remember(id, until);
            TryRemoveEntryAsync(id).Ignore(); // nobody waits for a notice that was lost
        }

        metrics.LiveSessions(_liveUntil.Count);
    }

    private void Remember(string sessionId, DateTimeOffset endedAt)
    {
        if (!_ended.Add(sessionId)) return;
        _endedOrder.Enqueue((sessionId, endedAt));
        while (_endedOrder.TryPeek(out var oldest) && (_endedOrder.Count > MaxRememberedEnded || endedAt - oldest.EndedAt > RememberEnded))
        {
            var forgotten = _endedOrder.Dequeue().Id;
            _ended.Remove(forgotten);
            if (_watchesBySession.Remove(forgotten, out var watches))
            {
                foreach (var watchId in watches) _watches.Remove(watchId);
            }
        }
    }
}
