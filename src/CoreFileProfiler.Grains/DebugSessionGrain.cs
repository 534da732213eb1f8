using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using CoreFileProfiler.Grains.Crashes;
using CoreFileProfiler.Grains.Persistence;
using CoreFileProfiler.Grains.Placement;
using CoreFileProfiler.Node;
using CoreFileProfiler.Node.Containers;
using CoreFileProfiler.Node.Cores;
using CoreFileProfiler.Node.Processes;
using CoreFileProfiler.Node.Debugging;
using CoreFileProfiler.Node.Sandbox;
using CoreFileProfiler.Node.Terminals;
using CoreFileProfiler.Store;
using CoreFileProfiler.Store.Containers;
using Microsoft.Extensions.Logging;

namespace CoreFileProfiler.Grains;

/// <summary>One debug session; see <see cref="IDebugSessionGrain"/>.</summary>
/// <remarks>
/// Kept alive until it ends (a session may be idle for hours between page loads); it ends on its
/// expiry timer, on <see cref="Close"/>, or on the first call after its time is up if the timer
/// has not fired yet. Ending kills every gdb and ends every viewer's stream. An activation that
/// was never started (an unknown or ended id) deactivates right away.
/// The session's request, times and terminal ids are kept in <see cref="SessionStorage"/> until it
/// ends, so after its node's silo restarts the next activation restores it, expiry timer included;
/// gdb is never restored (docs/architecture.md, "What survives a restart").
/// </remarks>
[NodePlacement, KeepAlive, GrainType(TypeName)]
public sealed class DebugSessionGrain(
    [PersistentState("session", SessionStorage.Name)] IPersistentState<SavedSession> saved,
    CoreStore store,
    ContainerLocator containers,
    ProcessTable processes,
    GdbLauncher gdb,
    CoreSnapshotter snapshots,
    LocalTerminals local,
    TimeProvider time,
    ILogger<DebugSessionGrain> logger) : Grain, IDebugSessionGrain, IDisposable
{
    /// <summary>Orleans' default for this class, spelled out: the log redaction looks for it before a session id.</summary>
    public const string TypeName = "debugsession";

    private const int MaxRunningTerminals = 16;
    private const int MaxKeptTerminals = 32; // ended ones stay for their scrollback, within reason

    private const int MaxRunningSnapshots = 4;
    private const int MaxKeptSnapshots = 32; // finished ones stay for their status URL, within reason

    // A session ending cancels its snapshots and the gdb terminals still starting: gcore is killed, a
    // decompression stopped, and the partial file removed within this.
    private static readonly TimeSpan SnapshotCancelWait = TimeSpan.FromMilliseconds(1500);
    private static readonly TimeSpan MaxSnapshotWait = TimeSpan.FromSeconds(10);

    /// <summary>What a terminal of the node's earlier process answers: its gdb and viewers went with that process.</summary>
    public const string RestartedReason = "The profiler on this node restarted; this terminal's gdb ended with it. Open a new terminal.";

    private readonly Dictionary<string, SessionTerminal> _terminals = [];
    private readonly Dictionary<string, SavedTerminal> _earlier = []; // terminals of an earlier process, restored from storage
    private readonly SerialStateWriter<SavedSession> _storage = new(saved, logger);
    private readonly Dictionary<string, SessionSnapshot> _snapshots = [];
    private int _startingTerminals; // OpenTerminal interleaves: those between the cap check and registration
    private readonly List<Task> _startingGdb = []; // gdb being started off the turn, for ending to wait on
    private readonly CancellationTokenSource _ending = new(); // stops those when the session ends
    private SessionState? _state;
    private IGrainTimer? _expiry;

    /// <param name="ProcessIdentity">A pid target's process as it was when the session opened; see <see cref="ResolveProcessesAsync"/>.</param>
    private sealed record SessionState(SessionRequest Request, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, string? ProcessIdentity)
    {
        public bool Ended { get; set; }
    }

    private string Node => NodeName.OfGrainKey(this.GetPrimaryKeyString());

    private string Id => this.GetPrimaryKeyString()[(Node.Length + 1)..];

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // No record: a session about to be started, or an id that is not (or no longer) a live one.
        if (!saved.RecordExists) return;

        // A sealed record proves who wrote it, not that it is current: one copied back after its session
        // ended would revive it unlisted. The node's registry is what says a session lives.
        if (!await GrainFactory.GetNodeProfiler(Node).IsLive(Id))
        {
            logger.LogWarning(
                "Session {SessionHash} on {Node} has a stored record but the node does not list it live: the record is ignored and removed",
                CapabilityHash.Of(Id), Node);
            await _storage.TryClearAsync();
            return;
        }

        // The node's silo restarted (or the activation was lost): the session carries on, its gdb does not.
        var record = saved.State;
        _state = new SessionState(record.Request, record.CreatedAt, record.ExpiresAt, record.ProcessIdentity);
        foreach (var terminal in record.Terminals) _earlier[terminal.Id] = terminal;
        _expiry = StartExpiryTimer(record.ExpiresAt); // already past: it fires at once and the session ends
        logger.LogInformation(
            "Session {SessionHash} on {Node} restored: {Terminals} terminals ended with the earlier process; it ends at {ExpiresAt}",
            CapabilityHash.Of(Id), Node, _earlier.Count, record.ExpiresAt);
    }

    public async Task Start(SessionRequest request, DateTimeOffset createdAt, DateTimeOffset expiresAt)
    {
        if (_state is not null) throw new InvalidOperationException($"Session {CapabilityHash.Of(Id)} was already started.");
        // A pid target that exited since it was checked matches no process, not even one that gets its pid.
        var process = request is { Type: SessionType.Gcore, Pid: > 0 } ? processes.IdentityOf(request.Pid) ?? "exited" : null;
        _state = new SessionState(request, createdAt, expiresAt, process);
        _expiry = StartExpiryTimer(expiresAt);
        try
        {
            await _storage.WriteAsync(Saved);
        }
        catch
        {
            // Not durable, so not opened: the node frees the slot, and this activation forgets the id.
            _expiry.Dispose();
            _state = null;
            DeactivateOnIdle();
            throw;
        }
    }

    public async Task<SessionView> Describe()
    {
        var live = await EnsureLiveAsync();
        var request = live.Request;
        // The store or /proc is read on the thread pool (a busy node has thousands of processes); Describe
        // interleaves, so no call of the session waits behind it, and comes back only to read the terminals.
        var gcore = request.Type == SessionType.Gcore;
        List<SessionFile> files = gcore ? [] : await Task.Run(() => ListFiles(request));
        List<SessionProcess> listed = gcore ? await Task.Run(() => ListProcessesAsync(live)) : [];
        var state = await EnsureLiveAsync(); // it may have ended meanwhile
        return new SessionView(
            Id, Node, request.Type, request.Target, state.CreatedAt, state.ExpiresAt, files, listed, DescribeTerminals());
    }

    public async Task<DownloadableFile> GetFile(string path)
    {
        var file = await FindFileAsync(path);
        var compressed = CompressedCore.IsCompressed(file.FullPath);
        return new DownloadableFile(
            Node, file.RelativePath, file.FullPath, file.Size, file.Modified, compressed,
            compressed ? CoreMetadata.ReadFor(file.FullPath)?.Size : file.Size);
    }

    public async IAsyncEnumerable<byte[]> ReadFile(string path, long offset, long length, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var file = await FindFileAsync(path);
        await using var stream = CompressedCore.IsCompressed(file.FullPath)
            ? CompressedCore.OpenDecompressed(file.FullPath)
            : StoreDirectory.OpenExistingFileAt(file.FullPath);
        await foreach (var chunk in FileChunks.ReadAsync(stream, offset, length, cancellationToken))
        {
            yield return chunk;
        }
    }

    public Task<SessionSummary?> Summarize() => Task.FromResult(
        _state is { Ended: false } state && time.GetUtcNow() < state.ExpiresAt
            ? new SessionSummary(Id, Node, state.Request.Type, state.Request.Target, state.CreatedAt, state.ExpiresAt, DescribeTerminals())
            : null);

    public async Task<TerminalInfo> OpenTerminal(TerminalRequest request)
    {
        var state = await EnsureLiveAsync();
        if (request.File is null && request.Pid is null) throw ProfilerException.Invalid("Name the 'file' or the 'pid' to debug.");
        if (_terminals.Values.Count(t => t.Running) + _startingTerminals >= MaxRunningTerminals)
        {
            throw ProfilerException.Unavailable($"This session already runs {MaxRunningTerminals} gdb terminals; close one first.");
        }

        SessionTerminal terminal;
        var now = time.GetUtcNow();
        _startingTerminals++;
        try
        {
            // Starting gdb may decompress a zstd core and hash an executable copy (seconds for a large
            // core): done on the thread pool, while this interleaved call lets the session answer others.
            if (request.Pid is { } pid)
            {
                var (_, container) = await FindProcessAsync(state, pid);
                var target = container is null ? $"pid {pid}" : $"pid {pid} ({container.Name})";
                terminal = new SessionTerminal(RandomId(), target, await TrackStartingGdbAsync(Task.Run(() => gdb.StartOnProcess(pid))), now, WatchId.Create(Node, now), pid);
            }
            else
            {
                var file = await FindFileAsync(request.File!);
                var ending = _ending.Token;
                terminal = new SessionTerminal(RandomId(), file.RelativePath, await TrackStartingGdbAsync(Task.Run(() => gdb.StartOnCore(file.FullPath, ending))), now, WatchId.Create(Node, now));
            }
        }
        catch (OperationCanceledException) when (_ending.IsCancellationRequested)
        {
            throw Gone(); // the session ended while its core was decompressed; the partial copy is gone
        }
        catch (Exception e) when (e is SandboxUnavailableException or LimitReachedException or InsufficientSpaceException)
        {
            throw ProfilerException.Unavailable(e.Message);
        }
        finally
        {
            _startingTerminals--;
        }

        if (_state is not { Ended: false })
        {
            // The session ended while gdb started: its terminals are closed, so is this one.
            await terminal.Terminal.Close("This session has ended.");
            terminal.Terminal.Recording.Dispose();
            throw Gone();
        }

        if (_earlier.Count > 0 && _earlier.Count + _terminals.Count >= MaxKeptTerminals)
        {
            // Terminals of an earlier process are older than any of this one's, and ended.
            var oldest = _earlier.Values.MinBy(t => t.StartedAt)!;
            _earlier.Remove(oldest.Id);
            GrainFactory.GetNodeProfiler(Node).RemoveWatch(oldest.WatchId).Ignore();
        }
        else if (_terminals.Count >= MaxKeptTerminals && _terminals.Values.Where(t => !t.Running).MinBy(t => t.StartedAt) is { } oldest)
        {
            _terminals.Remove(oldest.Id);
            local.Remove(Id, oldest.Id);
            oldest.Terminal.Recording.Dispose();
            GrainFactory.GetNodeProfiler(Node).RemoveWatch(oldest.WatchId).Ignore();
        }

        _terminals.Add(terminal.Id, terminal);
        local.Add(Id, terminal.Id, terminal.Terminal);
        // Resolvable from every gateway before anyone can hold the link.
        await GrainFactory.GetNodeProfiler(Node).AddWatch(terminal.WatchId, new TerminalAddress(Id, terminal.Id));
        // Only so that after a restart its viewers learn what became of it: gdb works without this.
        await _storage.TryWriteAsync(Saved);
        logger.LogInformation(
            "Session {SessionHash} on {Node}: terminal {TerminalHash} runs gdb {Pid} on {Target}",
            CapabilityHash.Of(Id), Node, CapabilityHash.Of(terminal.Id), terminal.Terminal.Pid, terminal.Target);
        return terminal.Describe();
    }

    public async Task<SnapshotStatus> StartSnapshot(int pid)
    {
        var (_, container) = await FindProcessAsync(await EnsureLiveAsync(), pid);
        await EnsureLiveAsync(); // StartSnapshot interleaves: the session may have ended during the lookup
        if (_snapshots.Values.Count(s => !s.Task.IsCompleted) >= MaxRunningSnapshots)
        {
            throw ProfilerException.Unavailable($"This session already runs {MaxRunningSnapshots} snapshots; wait for one to finish.");
        }

        if (_snapshots.Count >= MaxKeptSnapshots && _snapshots.Values.Where(s => s.Task.IsCompleted).MinBy(s => s.StartedAt) is { } oldest)
        {
            _snapshots.Remove(oldest.Id);
            oldest.Dispose();
        }

        // gcore takes up to minutes: it runs on the thread pool, off this grain's turn, so the session
        // keeps answering; its outcome is only read back in this grain's own turns (GetSnapshot).
        var cancellation = new CancellationTokenSource();
        var token = cancellation.Token;
        var task = Task.Run(() => snapshots.TakeAsync(pid, container, token), CancellationToken.None);
        var snapshot = new SessionSnapshot(RandomId(), pid, container?.Name, time.GetUtcNow(), task, cancellation);
        _snapshots.Add(snapshot.Id, snapshot);
        logger.LogInformation("Session {SessionHash} on {Node}: snapshot {SnapshotHash} of {Pid} started", CapabilityHash.Of(Id), Node, CapabilityHash.Of(snapshot.Id), pid);
        return snapshot.Describe();
    }

    public async Task<SnapshotStatus> GetSnapshot(string snapshotId, TimeSpan wait)
    {
        await EnsureLiveAsync();
        var snapshot = _snapshots.GetValueOrDefault(snapshotId) ?? throw ProfilerException.NotFound("This session has no such snapshot.");
        if (wait > TimeSpan.Zero)
        {
            // Bounded well below Orleans' response timeout; interleaved, so nothing else waits with us.
            await Task.WhenAny(snapshot.Task, Task.Delay(Min(wait, MaxSnapshotWait), time));
        }

        return snapshot.Describe();
    }

    public async Task<TerminalInfo> GetTerminal(string terminalId)
    {
        await EnsureLiveAsync();
        return _earlier.TryGetValue(terminalId, out var earlier) ? earlier.DescribeEnded(RestartedReason) : (await FindTerminalAsync(terminalId)).Describe();
    }

    public async IAsyncEnumerable<byte[]> Watch(string terminalId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await EnsureLiveAsync();
        if (_earlier.ContainsKey(terminalId))
        {
            // Written into the terminal, so a reconnecting page says it where the output was; the close reason says it again.
            yield return Encoding.UTF8.GetBytes($"\r\n\x1b[1m{RestartedReason}\x1b[0m\r\n");
            yield break;
        }

        var terminal = await FindTerminalAsync(terminalId);
        TerminalViewer viewer;
        try
        {
            viewer = terminal.Terminal.Attach();
        }
        catch (LimitReachedException e)
        {
            throw ProfilerException.Unavailable(e.Message); // the gateway closes the viewer's socket with 1013
        }

        using (viewer)
        {
            await foreach (var chunk in viewer.ReadAllAsync(cancellationToken))
            {
                yield return chunk;
            }
        }
    }

    public async IAsyncEnumerable<byte[]> ReadRecording(string terminalId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var terminal = await FindTerminalAsync(terminalId);
        await foreach (var chunk in terminal.Terminal.Recording.ReadAsync($"gdb {terminal.Target}", cancellationToken))
        {
            yield return chunk;
        }
    }

    public async Task SendInput(string terminalId, string data)
    {
        var terminal = await FindTerminalAsync(terminalId);
        try
        {
            await terminal.Terminal.SendAsync(Encoding.UTF8.GetBytes(data));
        }
        catch (LimitReachedException e)
        {
            throw ProfilerException.Unavailable(e.Message);
        }
    }

    public async Task Resize(string terminalId, int cols, int rows)
    {
        if (!SharedTerminal.IsValidSize(cols, rows))
        {
            throw ProfilerException.Invalid($"A terminal is 1 to {SharedTerminal.MaxSize} columns and rows, not {cols}×{rows}.");
        }

        (await FindTerminalAsync(terminalId)).Terminal.Resize(cols, rows);
    }

    public async Task Close()
    {
        await EnsureLiveAsync();
        await EndAsync("This session was closed.");
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // Normally the session has ended already; if the silo is going away first, gdb and gcore go with it.
        await Task.WhenAll(
            CloseTerminalsAsync("The profiler on this node is shutting down."),
            CancelSnapshotsAsync("The profiler on this node is shutting down."),
            StopStartingGdbAsync());
    }

    private async Task<CoreFileEntry> FindFileAsync(string path)
    {
        var request = (await EnsureLiveAsync()).Request;
        // Walks the store's directories: on the thread pool, off this grain's turn.
        return await Task.Run(() => store.ResolveCores(request).Find(path))
            ?? throw ProfilerException.NotFound($"'{path}' is not a file of this session.");
    }

    /// <summary>A process this session lists (re-read now); anything else is NotFound.</summary>
    private async Task<(int Pid, RunningContainer? Container)> FindProcessAsync(SessionState state, int pid)
    {
        if (state.Request.Type != SessionType.Gcore) throw ProfilerException.NotFound($"pid {pid} is not a process of this session.");
        // Scans /proc and asks Docker: on the thread pool, off this grain's turn.
        var listed = await Task.Run(() => ResolveProcessesAsync(state));
        return listed.FirstOrDefault(p => p.Pid == pid) is { Pid: > 0 } found
            ? found
            : throw ProfilerException.NotFound($"pid {pid} is not a process of this session.");
    }

    /// <summary>Reads /proc, touching no grain state: run on the thread pool.</summary>
    private async Task<List<SessionProcess>> ListProcessesAsync(SessionState state)
    {
        List<(int Pid, RunningContainer? Container)> listed;
        try
        {
            listed = await ResolveProcessesAsync(state);
        }
        catch (ProfilerException e) when (e.Error is ProfilerError.NotFound or ProfilerError.Forbidden)
        {
            return []; // the process or container is gone (its pid may now be a host's): nothing to show, not an error
        }

        return listed
            .Select(p => (Info: processes.Read(p.Pid), p.Container))
            .Where(p => p.Info is not null)
            .Select(p => new SessionProcess(p.Info!.Pid, p.Info.ParentPid, p.Info.User, p.Info.State, p.Info.Command, p.Container?.Name))
            .ToList();
    }

    /// <summary>
    /// The processes the session means now. A pid target only while it is the process the session was
    /// opened for: over a long session, or a restart of the node, the pid may have gone to another.
    /// </summary>
    private async Task<List<(int Pid, RunningContainer? Container)>> ResolveProcessesAsync(SessionState state)
    {
        if (state.ProcessIdentity is { } identity && processes.IdentityOf(state.Request.Pid) != identity)
        {
            throw ProfilerException.NotFound($"pid {state.Request.Pid} is no longer the process this session was opened for: it exited, and the pid may belong to another process now.");
        }

        return await containers.ResolveProcessesAsync(processes, state.Request);
    }

    /// <summary>A terminal of this process; Gone for one of an earlier process, NotFound for any other id.</summary>
    private async Task<SessionTerminal> FindTerminalAsync(string terminalId)
    {
        await EnsureLiveAsync();
        if (_terminals.GetValueOrDefault(terminalId) is { } terminal) return terminal;
        // The id stays out of the message: it is a capability, and messages end up in logs.
        throw _earlier.ContainsKey(terminalId)
            ? ProfilerException.Gone(RestartedReason)
            : ProfilerException.NotFound("This session has no such terminal.");
    }

    /// <summary>Terminals of an earlier process first (they are older), then this process's.</summary>
    private List<TerminalInfo> DescribeTerminals() =>
        _earlier.Values.Select(t => t.DescribeEnded(RestartedReason)).Concat(_terminals.Values.Select(t => t.Describe())).ToList();

    /// <summary>The record to keep while the session lives; null once it has ended (its record is removed then).</summary>
    private SavedSession? Saved() => _state is { Ended: false } state
        ? new SavedSession(state.Request, state.CreatedAt, state.ExpiresAt, [.. _earlier.Values, .. _terminals.Values.Select(t => t.Saved)], state.ProcessIdentity)
        : null;

    private IGrainTimer StartExpiryTimer(DateTimeOffset expiresAt) => this.RegisterGrainTimer(
        _ => EndAsync("This session has expired."),
        new GrainTimerCreationOptions(Max(expiresAt - time.GetUtcNow(), TimeSpan.Zero), Timeout.InfiniteTimeSpan));

    /// <summary>Reads the store, touching no grain state: run on the thread pool.</summary>
    private List<SessionFile> ListFiles(SessionRequest request)
    {
        CoreTarget target;
        try
        {
            target = store.ResolveCores(request);
        }
        catch (ProfilerException e) when (e.Error is ProfilerError.NotFound or ProfilerError.Forbidden)
        {
            return []; // the directory went away (retention, cleanup) or now leads wider: nothing to show, not an error
        }

        return target.ListFiles()
            .Select(f => (File: f, Metadata: CoreMetadata.ReadFor(f.FullPath), Report: CrashReportFile.ReadFor(f.FullPath)))
            .Select(f => new SessionFile(
                f.File.RelativePath, f.File.Size, f.File.Modified, f.File.Container, f.Metadata?.Signal, f.Metadata?.Exe, f.Metadata?.Truncated ?? false,
                f.Report?.Summary, f.Report?.Signature))
            .ToList();
    }

    private async ValueTask<SessionState> EnsureLiveAsync()
    {
        if (_state is { Ended: false } live)
        {
            if (time.GetUtcNow() < live.ExpiresAt) return live;
            await EndAsync("This session has expired.");
        }

        if (_state is not null) throw Gone();

        // A fresh activation: the id was never ours, or the session ended before a deactivation.
        DeactivateOnIdle();
        var ended = await GrainFactory.GetNodeProfiler(Node).HasEnded(Id);
        throw ended ? Gone() : ProfilerException.NotFound("No such session.");
    }

    private async Task EndAsync(string reason)
    {
        if (_state is not { Ended: false } state) return;
        state.Ended = true;
        _expiry?.Dispose();
        await Task.WhenAll(CloseTerminalsAsync(reason), CancelSnapshotsAsync(reason), StopStartingGdbAsync());
        await _storage.TryClearAsync();
        GrainFactory.GetNodeProfiler(Node).SessionEnded(Id).Ignore();
        logger.LogInformation("Session {SessionHash} on {Node} ended: {Reason}", CapabilityHash.Of(Id), Node, reason);
        DeactivateOnIdle();
    }

    private async Task CloseTerminalsAsync(string reason)
    {
        foreach (var id in _terminals.Keys) local.Remove(Id, id);
        foreach (var terminal in _terminals.Values.Where(t => t.Running)) terminal.EndReason = reason;
        await Task.WhenAll(_terminals.Values.Select(t => t.Terminal.Close(reason)));
        foreach (var terminal in _terminals.Values) terminal.Terminal.Recording.Dispose();
    }

    /// <summary>Registers gdb being started off the turn until it has started or failed.</summary>
    private async Task<SharedTerminal> TrackStartingGdbAsync(Task<SharedTerminal> starting)
    {
        _startingGdb.Add(starting);
        try
        {
            return await starting;
        }
        finally
        {
            _startingGdb.Remove(starting);
        }
    }

    /// <summary>Stops decompressions under way; OpenTerminal closes whatever gdb still starts.</summary>
    private async Task StopStartingGdbAsync()
    {
        await _ending.CancelAsync();
        await Task.WhenAny(Task.WhenAll(_startingGdb.ToList()), Task.Delay(SnapshotCancelWait, time));
    }

    private async Task CancelSnapshotsAsync(string reason)
    {
        var running = _snapshots.Values.Where(s => !s.Task.IsCompleted).ToList();
        foreach (var snapshot in running) snapshot.Cancel(reason);
        // CoreSnapshotter kills gcore, continues the process and removes the partial core; give it a moment.
        await Task.WhenAny(Task.WhenAll(running.Select(s => s.Task)), Task.Delay(SnapshotCancelWait, time));
        foreach (var snapshot in running.Where(s => !s.Task.IsCompleted))
        {
            logger.LogWarning("Session {SessionHash} on {Node}: snapshot {SnapshotHash} did not stop within {Wait}", CapabilityHash.Of(Id), Node, CapabilityHash.Of(snapshot.Id), SnapshotCancelWait);
        }
    }

    /// <summary>Orleans disposes the activation's instance after deactivating it.</summary>
    public void Dispose() => _ending.Dispose();

    private static string RandomId() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(9)).Replace('+', '-').Replace('/', '_');

    private static ProfilerException Gone() => ProfilerException.Gone("This session has ended: it expired, was closed, or its node restarted.");

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
