using System.Runtime.CompilerServices;
using System.Text;
using CoreFileProfiler.Node.Terminals;

namespace CoreFileProfiler.Silo.Terminals;

/// <summary>A terminal running in this process, joined directly (access was checked through its grain).</summary>
internal sealed class LocalTerminalLink(SharedTerminal terminal) : ITerminalLink
{
    public async IAsyncEnumerable<byte[]> Output([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var viewer = terminal.Attach();
        await foreach (var chunk in viewer.ReadAllAsync(cancellationToken))
        {
            yield return chunk;
        }
    }

    public Task Input(string data, CancellationToken cancellationToken) => terminal.SendAsync(Encoding.UTF8.GetBytes(data), cancellationToken);

    public Task Resize(int cols, int rows)
    {
        terminal.Resize(cols, rows);
        return Task.CompletedTask;
    }
}
