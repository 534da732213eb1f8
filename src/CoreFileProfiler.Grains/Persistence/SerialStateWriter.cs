using Microsoft.Extensions.Logging;

namespace CoreFileProfiler.Grains.Persistence;

/// <summary>
/// Writes a grain's persistent state one write at a time. Interleaved calls of a grain would otherwise
/// write with the same ETag, and all but the first would fail; each write takes the state as it stands
/// when its turn comes, so the last one always saves the latest. Writes asked for while one waits for its
/// turn are that one (a group commit): under a burst of calls the storage sees one write per round trip,
/// not one per call, and each caller still returns only once its change is stored.
/// </summary>
internal sealed class SerialStateWriter<T>(IPersistentState<T> state, ILogger logger)
{
    // The last write or clear asked for: each one starts after it, whatever became of it.
    private Task _last = Task.CompletedTask;

    // The write that has not started yet, if any: it will save every change made before it starts.
    private Task? _waiting;

    /// <summary>
    /// Saves what <paramref name="current"/> gives when this write's turn comes; null saves nothing (the
    /// record was cleared meanwhile). A storage failure is a 503: the caller's change is not durable.
    /// </summary>
    /// <remarks>Every caller passes the grain's one way of taking its state, so joining a waiting write loses nothing.</remarks>
    public Task WriteAsync(Func<T?> current)
    {
        if (_waiting is { } waiting) return waiting;
        Task? write = null;
        var started = false;
        write = AfterLastAsync(_last, () =>
        {
            started = true;
            if (ReferenceEquals(_waiting, write)) _waiting = null; // from here on, a change needs a write of its own
            return SaveAsync(current);
        });
        if (!started) _waiting = write; // it ran at once when nothing was before it
        return _last = write;
    }

    private async Task SaveAsync(Func<T?> current)
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
            throw SessionStorage.Unreachable();
        }
    }

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
    public Task TryClearAsync()
    {
        _waiting = null; // a write asked for after the clear must come after it
        return _last = AfterLastAsync(_last, ClearAsync);
    }

    private async Task ClearAsync()
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
    }

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
