using CoreFileProfiler.Node;
using CoreFileProfiler.Node.Cores;
using CoreFileProfiler.Store;

namespace CoreFileProfiler.Grains;

/// <summary>
/// A gcore its session started: the running task and the means to cancel it. The task runs on the
/// thread pool and touches no grain state; the grain only reads its outcome from its own turns.
/// </summary>
internal sealed class SessionSnapshot(
    string id, int pid, string? container, DateTimeOffset startedAt, Task<(string Path, long Size)> task, CancellationTokenSource cancellation) : IDisposable
{
    public string Id => id;

    public Task<(string Path, long Size)> Task => task;

    public DateTimeOffset StartedAt => startedAt;

    /// <summary>Why a cancelled snapshot was cancelled (the session ended).</summary>
    public string? CancelReason { get; private set; }

    public void Cancel(string reason)
    {
        CancelReason ??= reason;
        cancellation.Cancel();
    }

    public SnapshotStatus Describe()
    {
        if (!task.IsCompleted) return new SnapshotStatus(id, SnapshotState.Running, pid, container);
        if (task.IsCompletedSuccessfully) return new SnapshotStatus(id, SnapshotState.Done, pid, container, task.Result.Path, task.Result.Size);
        var failure = task.Exception?.InnerException;
        var (error, reason) = failure switch
        {
            ProfilerException e => (e.Error, e.Message),
            InvalidOperationException or LimitReachedException or InsufficientSpaceException or SymlinkInStoreException => (ProfilerError.Unavailable, failure.Message),
            _ when task.IsCanceled => (ProfilerError.Gone, $"The snapshot was stopped and its partial core removed: {CancelReason ?? "the session ended."}"),
            _ => (ProfilerError.Unavailable, $"gcore of pid {pid} failed."),
        };
        return new SnapshotStatus(id, SnapshotState.Failed, pid, container, Reason: reason, Error: error);
    }

    public void Dispose() => cancellation.Dispose();
}
