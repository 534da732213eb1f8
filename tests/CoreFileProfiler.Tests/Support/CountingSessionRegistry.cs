using CoreFileProfiler.Grains.Persistence;

namespace CoreFileProfiler.Tests.Support;

/// <summary>A node registry in memory that counts what an open costs it: entries written and their sealed bytes.</summary>
public sealed class CountingSessionRegistry(RegistryEntrySeal entries) : ISessionRegistry
{
    private readonly MemorySessionRegistry _stored = new(entries);
    private int _writes;
    private long _bytes;

    public int Writes => _writes;

    public long Bytes => Interlocked.Read(ref _bytes);

    public Task SaveAsync(string node, RegisteredSession entry)
    {
        Interlocked.Increment(ref _writes);
        Interlocked.Add(ref _bytes, entries.Seal(node, entry).Length); // the same length as what is stored
        return _stored.SaveAsync(node, entry);
    }

    public Task RemoveAsync(string node, string sessionId) => _stored.RemoveAsync(node, sessionId);

    public Task<IReadOnlyList<RegisteredSession>> ReadAllAsync(string node) => _stored.ReadAllAsync(node);
}
