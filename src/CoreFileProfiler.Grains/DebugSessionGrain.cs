using CoreFileProfiler.Grains.Placement;
using CoreFileProfiler.Node.Cores;
using Microsoft.Extensions.Logging;

namespace CoreFileProfiler.Grains;

/// <summary>One debug session; see <see cref="IDebugSessionGrain"/>.</summary>
/// <remarks>
/// Kept alive until it ends (a session may be idle for hours between page loads); it ends on its
/// expiry timer, on <see cref="Close"/>, or on the first call after its time is up if the timer
/// has not fired yet. An activation that was never started (an unknown or ended id) deactivates
/// right away.
/// </remarks>
[NodePlacement, KeepAlive]
public sealed class DebugSessionGrain(CoreStore store, TimeProvider time, ILogger<DebugSessionGrain> logger) : Grain, IDebugSessionGrain
{
    private SessionState? _state;
    private IGrainTimer? _expiry;

    private sealed record SessionState(SessionRequest Request, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt)
    {
        public bool Ended { get; set; }
    }

    private string Node => NodeName.OfGrainKey(this.GetPrimaryKeyString());

    private string Id => this.GetPrimaryKeyString()[(Node.Length + 1)..];

    public Task Start(SessionRequest request, DateTimeOffset createdAt, DateTimeOffset expiresAt)
    {
        if (_state is not null) throw new InvalidOperationException($"Session {Id} was already started.");
        _state = new SessionState(request, createdAt, expiresAt);
        _expiry = this.RegisterGrainTimer(
            _ => EndAsync("expired"),
            new GrainTimerCreationOptions(Max(expiresAt - time.GetUtcNow(), TimeSpan.Zero), Timeout.InfiniteTimeSpan));
        return Task.CompletedTask;
    }

    public async Task<SessionView> Describe()
    {
        var state = await EnsureLiveAsync();
        return new SessionView(
            Id, Node, state.Request.Type, state.Request.Target, state.CreatedAt, state.ExpiresAt, ListFiles(state.Request));
    }

    public async Task<DownloadableFile> GetFile(string path)
    {
        var state = await EnsureLiveAsync();
        var file = store.ResolveCores(state.Request).Find(path)
            ?? throw ProfilerException.NotFound($"'{path}' is not a file of this session.");
        return new DownloadableFile(Node, file.FullPath, file.Size, file.Modified);
    }

    public async Task Close()
    {
        await EnsureLiveAsync();
        await EndAsync("closed");
    }

    private List<SessionFile> ListFiles(SessionRequest request)
    {
        CoreTarget target;
        try
        {
            target = store.ResolveCores(request);
        }
        catch (ProfilerException e) when (e.Error == ProfilerError.NotFound)
        {
            return []; // the directory went away (retention, cleanup): nothing to show, not an error
        }

        return target.ListFiles()
            .Select(f => new SessionFile(f.RelativePath, f.Size, f.Modified, f.Container))
            .ToList();
    }

    private async ValueTask<SessionState> EnsureLiveAsync()
    {
        if (_state is { Ended: false } live)
        {
            if (time.GetUtcNow() < live.ExpiresAt) return live;
            await EndAsync("expired");
        }

        if (_state is not null) throw Gone();

        // A fresh activation: the id was never ours, or the session ended before a deactivation.
        DeactivateOnIdle();
        var ended = await GrainFactory.GetNodeProfiler(Node).HasEnded(Id);
        throw ended ? Gone() : ProfilerException.NotFound("No such session.");
    }

    private Task EndAsync(string reason)
    {
        if (_state is not { Ended: false } state) return Task.CompletedTask;
        state.Ended = true;
        _expiry?.Dispose();
        GrainFactory.GetNodeProfiler(Node).SessionEnded(Id).Ignore();
        logger.LogInformation("Session {SessionId} on {Node} {Reason}", Id, Node, reason);
        DeactivateOnIdle();
        return Task.CompletedTask;
    }

    private static ProfilerException Gone() => ProfilerException.Gone("This session has expired or was closed.");

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
