using CoreFileProfiler.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace CoreFileProfiler.Tests.Grains;

/// <summary>An in-process cluster of one node, with a fake clock, a limit of two sessions and one core of a pod.</summary>
public abstract class SingleNodeClusterTests : IAsyncLifetime
{
    protected const string Node = "node-0";

    protected FakeTimeProvider Time { get; } = new(DateTimeOffset.UtcNow);

    protected ProfilerCluster Cluster { get; private set; } = null!;

    protected INodeProfilerGrain Profiler => Cluster.Grains.GetNodeProfiler(Node);

    public async Task InitializeAsync()
    {
        Cluster = await ProfilerCluster.StartAsync(time: Time, configure: o => o.MaxSessions = 2);
        Cluster.WriteCore(Node, "default/web-1/app/42_20261127-120000");
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();

    protected static SessionRequest PodCores(int seconds = 2) => new(SessionType.Coredump, seconds, null, 0, "default", "web-1", null);
}
