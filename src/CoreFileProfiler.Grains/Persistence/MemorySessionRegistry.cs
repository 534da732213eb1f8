using System.Collections.Concurrent;

namespace CoreFileProfiler.Grains.Persistence;

/// <summary>The registry of a single-node silo: in this process, as long as it lives; sealed all the same, so both kinds take one path.</summary>
public sealed class MemorySessionRegistry(RegistryEntrySeal entries) : ISessionRegistry
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, byte[]>> _nodes = new();

    public Task SaveAsync(string node, RegisteredSession entry)
    {
        Of(node)[entries.FieldOf(entry.SessionId)] = entries.Seal(node, entry);
        return Task.CompletedTask;
    }

    public Task RemoveAsync(string node, string sessionId)
    {
        Of(node).TryRemove(entries.FieldOf(sessionId), out _);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<RegisteredSession>> ReadAllAsync(string node) =>
        Task.FromResult<IReadOnlyList<RegisteredSession>>(Of(node).Select(e => entries.Open(node, e.Key, e.Value)).OfType<RegisteredSession>().ToList());

    private ConcurrentDictionary<string, byte[]> Of(string node) => _nodes.GetOrAdd(node, _ => new());
}
