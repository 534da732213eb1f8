using System.Diagnostics;
using CoreFileProfiler.Tests.Support;

namespace CoreFileProfiler.Tests.Grains;

public sealed class NodePlacementTests : IAsyncLifetime
{
    private ProfilerCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await ProfilerCluster.StartAsync(silos: 3);

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task Each_node_profiler_lands_on_its_own_nodes_silo()
    {
        foreach (var node in new[] { "node-0", "node-1", "node-2" })
        {
            var profiler = _cluster.Grains.GetNodeProfiler(node);

            var status = await profiler.GetStatus();

            Assert.Equal(node, status.Node);
            Assert.Equal(_cluster.SiloOf(node), _cluster.WhereIs(profiler));
        }
    }

    [Fact]
    public async Task A_session_lands_on_the_silo_of_the_node_whose_cores_it_shows()
    {
        _cluster.WriteCore("node-2", "default/web-1/app/42_20261127-120000");

        var id = await _cluster.Grains.GetNodeProfiler("node-2")
            .OpenSession(new SessionRequest(SessionType.Coredump, 60, null, 0, "default", "web-1", null));
        var session = _cluster.Grains.GetSession(id);
        var view = await session.Describe();

        Assert.StartsWith("node-2.", id, StringComparison.Ordinal);
        Assert.Equal(_cluster.SiloOf("node-2"), _cluster.WhereIs(session));
        Assert.Equal("app/42_20261127-120000", Assert.Single(view.Files).Path);
    }

    [Fact]
    public async Task A_pod_is_looked_up_on_the_named_node_only()
    {
        _cluster.WriteCore("node-1", "default/only-on-1/app/1_20261127-120000");

        var refusal = await Assert.ThrowsAsync<ProfilerException>(() => _cluster.Grains.GetNodeProfiler("node-0")
            .OpenSession(new SessionRequest(SessionType.Coredump, 60, null, 0, "default", "only-on-1", null)));

        Assert.Equal(ProfilerError.NotFound, refusal.Error);
    }

    [Fact]
    public async Task An_unknown_node_fails_fast_with_node_unavailable()
    {
        var clock = Stopwatch.StartNew();

        var refusal = await Assert.ThrowsAsync<ProfilerException>(() => _cluster.Grains.GetNodeProfiler("nowhere").GetStatus());

        Assert.Equal(ProfilerError.Unavailable, refusal.Error);
        Assert.Contains("nowhere", refusal.Message, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"took {clock.Elapsed}");
    }
}
