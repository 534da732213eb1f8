using System.Collections.Concurrent;

namespace CoreFileProfiler.Node.Terminals;

/// <summary>
/// The terminals running in this process, by session and terminal id. Their session grain owns
/// them; a gateway in the same process that has checked access through the grain joins a viewer
/// to one directly, skipping a message hop per keystroke and per chunk of output.
/// </summary>
public sealed class LocalTerminals
{
    private readonly ConcurrentDictionary<(string Session, string Terminal), SharedTerminal> _terminals = new();

    public void Add(string sessionId, string terminalId, SharedTerminal terminal) => _terminals[(sessionId, terminalId)] = terminal;

    public void Remove(string sessionId, string terminalId) => _terminals.TryRemove((sessionId, terminalId), out _);

    public IEnumerable<SharedTerminal> All() => _terminals.Values;

    public SharedTerminal? Find(string sessionId, string terminalId) => _terminals.GetValueOrDefault((sessionId, terminalId));
}
