using System.Threading.Channels;

namespace CoreFileProfiler.Node.Terminals;

/// <summary>
/// Input on its way to a terminal's program, bounded in bytes. A writer waits while it is full, so a
/// viewer's relay stops reading that viewer's socket (TCP pushes back on the sender); one that finds no
/// room within its wait is refused. Room is made only once a piece has been written to the terminal, so
/// the bound holds however slowly the program reads.
/// </summary>
internal sealed class InputQueue(long capacityBytes)
{
    // What a queued piece costs beyond its bytes, so a flood of one-byte messages is bounded as well.
    private const int PieceCost = 64;

    private readonly Channel<byte[]> _pieces = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lock _gate = new();
    private TaskCompletionSource _roomMade = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _queued;
    private bool _completed;

    /// <summary>
    /// Queues <paramref name="input"/>, waiting up to <paramref name="wait"/> for room. False when no room
    /// came; true when queued, or when the queue is completed (the program is gone: input goes nowhere).
    /// </summary>
    public async Task<bool> WriteAsync(byte[] input, TimeSpan wait, CancellationToken cancellationToken)
    {
        var cost = input.Length + PieceCost;
        CancellationTokenSource? deadline = null; // only once it has to wait: a keystroke that fits costs no timer
        try
        {
            while (true)
            {
                Task roomMade;
                lock (_gate)
                {
                    if (_completed) return true;
                    // A piece larger than the whole queue still goes in alone, once the queue is empty.
                    if (_queued == 0 || _queued + cost <= capacityBytes)
                    {
                        _queued += cost;
                        _pieces.Writer.TryWrite(input);
                        return true;
                    }

                    roomMade = _roomMade.Task;
                }

                if (deadline is null)
                {
                    deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    deadline.CancelAfter(wait);
                }

                try
                {
                    await roomMade.WaitAsync(deadline.Token);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    return false;
                }
            }
        }
        finally
        {
            deadline?.Dispose();
        }
    }

    /// <summary>Each piece in order; its room is given back once the consumer has handled it.</summary>
    public async IAsyncEnumerable<byte[]> ReadAllAsync()
    {
        await foreach (var input in _pieces.Reader.ReadAllAsync())
        {
            yield return input;
            lock (_gate)
            {
                _queued -= input.Length + PieceCost;
                WakeWriters();
            }
        }
    }

    /// <summary>No more input: what is queued is still read; waiting writers return at once.</summary>
    public void Complete()
    {
        lock (_gate)
        {
            _completed = true;
            _pieces.Writer.TryComplete();
            WakeWriters();
        }
    }

    private void WakeWriters()
    {
        var woken = _roomMade;
        _roomMade = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        woken.TrySetResult();
    }
}
