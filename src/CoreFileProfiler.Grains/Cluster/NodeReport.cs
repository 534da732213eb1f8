namespace CoreFileProfiler.Grains.Cluster;

/// <summary>A node and what it said about itself; no status means it is down or did not answer.</summary>
public sealed record NodeReport(string Node, NodeStatus? Status)
{
    public bool IsUp => Status is not null;
}
