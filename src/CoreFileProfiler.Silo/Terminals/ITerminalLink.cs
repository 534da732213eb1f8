namespace CoreFileProfiler.Silo.Terminals;

/// <summary>How a viewer's relay reaches its terminal: through the session grain, or directly when it runs in this process.</summary>
internal interface ITerminalLink
{
    IAsyncEnumerable<byte[]> Output(CancellationToken cancellationToken);

    Task Input(string data);

    Task Resize(int cols, int rows);
}
