namespace CoreFileProfiler.Grains.Cluster;

/// <summary>A node of the cluster and its live silo, if it has one.</summary>
public sealed record ClusterNode(string Name, SiloAddress? Silo)
{
    public bool IsUp => Silo is not null;
}
