namespace CoreFileProfiler.Grains.Persistence;

/// <summary>
/// The grain storage that keeps sessions across a restart of their node's silo: the host registers it
/// under <see cref="Name"/> (Redis when the cluster uses Redis, memory for a single node).
/// </summary>
public static class SessionStorage
{
    public const string Name = "sessions";
}
