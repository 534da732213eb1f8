namespace CoreFileProfiler.Silo.Terminals;

/// <summary>A watcher's link: the terminal's output as anyone sees it; its input and resizes go nowhere.</summary>
internal sealed class ReadOnlyTerminalLink(ITerminalLink terminal) : ITerminalLink
{
    public IAsyncEnumerable<byte[]> Output(CancellationToken cancellationToken) => terminal.Output(cancellationToken);

    public Task Input(string data, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task Resize(int cols, int rows) => Task.CompletedTask;
}
