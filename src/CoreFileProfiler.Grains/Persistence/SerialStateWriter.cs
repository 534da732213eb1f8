using Microsoft.Extensions.Logging;

namespace CoreFileProfiler.Grains.Persistence;

/// <summary>
/// Writes a grain's persistent state one write at a time. Interleaved calls of a grain would otherwise
/// write with the same ETag, and all but the first would fail; each write takes the state as it stands
/// when its turn comes, so the last one always saves the latest.
/// </summary>
internal sealed class SerialStateWriter<T>(IPersistentState<T> state, ILogger logger)
{
    // The last write or clear asked for: each one starts after it, whatever became of it.
    private Task _last = Task.CompletedTask;

    /// <summary>
    /// Saves what <paramref name="current"/> gives when this write's turn comes; null saves nothing (the
    /// record was cleared meanwhile). A storage failure is a 503: the caller's change is not durable.
    /// </summary>
    public Task WriteAsync(Func<T?> current) => _last = AfterLastAsync(_last, async () =>
    {
        if (current() is not { } value) return;
        try
        {
            await WithStoredEtagAsync(async () =>
            {
                state.State = value;
                await state.WriteStateAsync();
            });
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Saving {StateType} failed", typeof(T).Name);
            throw ProfilerException.Unavailable("The profiler on this node cannot reach its session storage (Cluster:Redis); try again shortly.");
        }
    });

    /// <summary>Like <see cref="WriteAsync"/>, for changes that are worth keeping but not worth failing a call for.</summary>
    public async Task TryWriteAsync(Func<T?> current)
    {
        try
        {
            await WriteAsync(current);
        }
        catch (ProfilerException)
        {
            // logged by WriteAsync; the change holds in memory until the next write that succeeds
        }
    }

    /// <summary>Removes the record (the grain's subject ended); a failure is logged: the record is ended again on its next activation.</summary>
    public Task TryClearAsync() => _last = AfterLastAsync(_last, async () =>
    {
        try
        {
            await WithStoredEtagAsync(async () =>
            {
                if (state.RecordExists) await state.ClearStateAsync();
            });
        }
        catch (Exception e)
        {
            logger.LogWarning(e, "Removing {StateType} failed", typeof(T).Name);
        }
    });

    /// <summary>
    /// Runs <paramref name="operation"/>, and once more after a version conflict. A write that timed out here
    /// may still have reached the storage later (Redis ran it when it came back), leaving a record whose ETag
    /// this grain never saw: every later write and clear would then fail for good (a node that opens no
    /// session, a closed session whose record stays and is restored on its next activation). The grain's own
    /// state is what counts, so it takes the stored ETag and does it again.
    /// </summary>
    private async Task WithStoredEtagAsync(Func<Task> operation)
    {
        try
        {
            await operation();
        }
        catch (Exception e) when (IsVersionConflict(e))
        {
            var mine = state.State;
            await state.ReadStateAsync(); // the stored ETag (and record), not its contents
            state.State = mine;
            await operation();
        }
    }

    private static bool IsVersionConflict(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is Orleans.Storage.InconsistentStateException) return true;
        }

        return false;
    }

    // Continues on the grain's scheduler: state is only touched in the grain's turns.
    private static async Task AfterLastAsync(Task last, Func<Task> next)
    {
        await last.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
        await next();
    }
}
