using Orleans.Runtime;

namespace CoreFileProfiler.Silo.Terminals;

/// <summary>A terminal on any node, through its session grain: output streams in order; keystrokes are interleaved calls.</summary>
internal sealed class GrainTerminalLink(IDebugSessionGrain session, string terminalId) : ITerminalLink
{
    public IAsyncEnumerable<byte[]> Output(CancellationToken cancellationToken) =>
        session.Watch(terminalId, cancellationToken).WithBatchSize(64);

    public Task Input(string data, CancellationToken cancellationToken) => session.SendInput(terminalId, data);

    public Task Resize(int cols, int rows) => session.Resize(terminalId, cols, rows);
}
