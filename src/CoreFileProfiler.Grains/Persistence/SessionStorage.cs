namespace CoreFileProfiler.Grains.Persistence;

/// <summary>
/// The grain storage that keeps sessions across a restart of their node's silo. Grains use <see cref="Name"/>,
/// which seals every record (<see cref="SealedGrainStorage"/>) into the storage the host registers under
/// <see cref="Underneath"/> (Redis when the cluster uses Redis, memory for a single node).
/// </summary>
public static class SessionStorage
{
    public const string Name = "sessions";

    /// <summary>Where the sealed records go; never used by a grain directly.</summary>
    public const string Underneath = "sessions-sealed";

    /// <summary>What a caller whose change could not be stored is told: the change is not durable, so it did not happen.</summary>
    public static ProfilerException Unreachable() =>
        ProfilerException.Unavailable("The profiler on this node cannot reach its session storage (Cluster:Redis); try again shortly.");
}
