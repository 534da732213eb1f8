namespace CoreFileProfiler.Grains.Cluster;

/// <summary>What the reachable nodes answered, and which nodes could not.</summary>
public sealed record ClusterAnswer<T>(IReadOnlyList<T> Items, IReadOnlyList<string> UnavailableNodes);
