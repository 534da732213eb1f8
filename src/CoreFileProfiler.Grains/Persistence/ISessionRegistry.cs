namespace CoreFileProfiler.Grains.Persistence;

/// <summary>
/// A node's registry of its live sessions, one entry per session, so that opening, ending or changing a
/// session writes that session's entry alone, whatever the number of live ones. Redis (a hash per node)
/// when the cluster uses Redis, memory for a single node. Entries are sealed (<see cref="RegistryEntrySeal"/>);
/// one that does not open is left out with a warning.
/// </summary>
/// <remarks>Calls take effect in the order they are made (one connection, or memory): the grain needs no ETag.</remarks>
public interface ISessionRegistry
{
    /// <summary>Adds or replaces <paramref name="entry"/>; done when it is stored.</summary>
    Task SaveAsync(string node, RegisteredSession entry);

    Task RemoveAsync(string node, string sessionId);

    /// <summary>Every entry of <paramref name="node"/> that opens.</summary>
    Task<IReadOnlyList<RegisteredSession>> ReadAllAsync(string node);
}
