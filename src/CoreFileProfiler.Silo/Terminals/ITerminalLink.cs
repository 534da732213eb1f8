namespace CoreFileProfiler.Silo.Terminals;

/// <summary>How a viewer's relay reaches its terminal: through the session grain, or directly when it runs in this process.</summary>
internal interface ITerminalLink
{
    IAsyncEnumerable<byte[]> Output(CancellationToken cancellationToken);

    /// <summary>Types into the terminal; waits while its input queue is full, and is refused (503) if that lasts.</summary>
    Task Input(string data, CancellationToken cancellationToken);

    Task Resize(int cols, int rows);
}
