using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace CoreFileProfiler.Node.Terminals;

/// <summary>
/// One viewer's view of a <see cref="SharedTerminal"/>: the scrollback first, then everything
/// the terminal writes, in order. A viewer that falls too far behind is cut off (it can
/// reconnect and start again from the scrollback) rather than slow down gdb or the others.
/// </summary>
public sealed class TerminalViewer : IDisposable
{
    private readonly Channel<byte[]> _output = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true });
    private readonly SharedTerminal _terminal;
    private readonly long _maxBacklogBytes;
    private long _backlog;

    internal TerminalViewer(SharedTerminal terminal, long maxBacklogBytes) => (_terminal, _maxBacklogBytes) = (terminal, maxBacklogBytes);

    /// <summary>Why the output ended: the program exited, the session ended, or this viewer was too slow.</summary>
    public string? EndReason { get; private set; }

    public async IAsyncEnumerable<byte[]> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var chunk in _output.Reader.ReadAllAsync(cancellationToken))
        {
            Interlocked.Add(ref _backlog, -chunk.Length);
            yield return chunk;
        }
    }

    /// <summary>Queues output; false (and the viewer ended) when it is too far behind.</summary>
    internal bool TryEnqueue(byte[] chunk)
    {
        if (Interlocked.Add(ref _backlog, chunk.Length) > _maxBacklogBytes)
        {
            End("This viewer fell too far behind the terminal's output; reconnect to catch up.");
            return false;
        }

        return _output.Writer.TryWrite(chunk);
    }

    internal void End(string reason)
    {
        EndReason ??= reason;
        _output.Writer.TryComplete();
    }

    public void Dispose() => _terminal.Detach(this);
}
