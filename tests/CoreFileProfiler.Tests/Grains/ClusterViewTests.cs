using System.Security.Cryptography;
using CoreFileProfiler.Grains.Cluster;
using CoreFileProfiler.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace CoreFileProfiler.Tests.Grains;

/// <summary>Cluster-wide views and cross-node reads, in three in-process silos (node-0..2).</summary>
public sealed class ClusterViewTests : IAsyncLifetime
{
    private ProfilerCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await ProfilerCluster.StartAsync(silos: 3);

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    /// <summary>The overview as the gateway of silo <paramref name="silo"/> sees it.</summary>
    private ClusterOverview OverviewOn(int silo) =>
        ((InProcessSiloHandle)_cluster.Cluster.Silos[silo]).ServiceProvider.GetRequiredService<ClusterOverview>();

    private Task<string> OpenOn(string node, string pod) => _cluster.Grains.GetNodeProfiler(node)
        .OpenSession(new SessionRequest(SessionType.Coredump, 60, null, 0, "default", pod, null));

    [Fact]
    public async Task Any_silo_lists_every_nodes_sessions_and_cores()
    {
        _cluster.WriteCore("node-0", "default/web-0/app/10_20261127-120000");
        _cluster.WriteCore("node-1", "default/web-1/app/11_20261127-120000");
        _cluster.WriteCore("node-2", "default/web-2/app/12_20261127-120000");
        _cluster.WriteCore("node-2", "other/db-2/db/13_20261127-120000");
        var ids = new[] { await OpenOn("node-0", "web-0"), await OpenOn("node-1", "web-1"), await OpenOn("node-2", "web-2") };

        foreach (var silo in new[] { 0, 1, 2 })
        {
            var overview = OverviewOn(silo);

            var nodes = await overview.NodesAsync(default);
            Assert.Equal(["node-0", "node-1", "node-2"], nodes.Select(n => n.Node));
            Assert.All(nodes, n => Assert.True(n.IsUp));
            Assert.Equal([1, 1, 2], nodes.Select(n => n.Status!.Cores));
            Assert.All(nodes, n => Assert.Equal(1, n.Status!.LiveSessions));

            var sessions = await overview.SessionsAsync(default);
            Assert.Equal(ids.Order(), sessions.Items.Select(s => s.Id).Order());
            Assert.Empty(sessions.UnavailableNodes);

            var cores = await overview.CoresAsync(new CoreFilter("default", null, null), default);
            Assert.Equal(["default/web-0/app", "default/web-1/app", "default/web-2/app"], cores.Items.Select(c => $"{c.Namespace}/{c.Pod}/{c.Container}").Order());
            var db = Assert.Single((await overview.CoresAsync(new CoreFilter(null, "db-2", "db"), default)).Items);
            Assert.Equal("node-2", db.Node);
            Assert.Equal(Path.Join(_cluster.CoreRoot("node-2"), "kubernetes/other/db-2/db/13_20261127-120000"), db.Path);
        }
    }

    [Fact]
    public async Task A_file_on_another_node_reads_through_its_session_whole_and_from_an_offset()
    {
        var bytes = RandomNumberGenerator.GetBytes(3 * 1024 * 1024 + 123); // several chunks and a short last one
        var core = _cluster.WriteCore("node-2", "default/big/app/7_20261127-120000", "");
        await File.WriteAllBytesAsync(core, bytes);
        var session = _cluster.Grains.GetSession(await OpenOn("node-2", "big"));

        var whole = await ReadAllAsync(session.ReadFile("app/7_20261127-120000", 0, long.MaxValue));
        var tail = await ReadAllAsync(session.ReadFile("app/7_20261127-120000", 1_000_001, 500_000));

        Assert.Equal(bytes, whole);
        Assert.Equal(bytes.AsSpan(1_000_001, 500_000).ToArray(), tail);
        var refusal = await Assert.ThrowsAsync<ProfilerException>(() => ReadAllAsync(session.ReadFile("../../../etc/passwd", 0, 10)));
        Assert.Equal(ProfilerError.NotFound, refusal.Error);
    }

    [Fact]
    public async Task A_stopped_node_is_shown_down_and_the_others_still_answer()
    {
        _cluster.WriteCore("node-0", "default/web-0/app/10_20261127-120000");
        _cluster.WriteCore("node-2", "default/web-2/app/12_20261127-120000");
        await OpenOn("node-0", "web-0");
        await OpenOn("node-2", "web-2");
        var overview = OverviewOn(0);
        Assert.Equal(3, (await overview.NodesAsync(default)).Count(n => n.IsUp)); // seen up once: remembered once gone

        await _cluster.Cluster.StopSiloAsync(_cluster.Cluster.Silos.Single(s => s.SiloAddress == _cluster.SiloOf("node-2")));

        var nodes = await overview.NodesAsync(default);
        Assert.Equal(["node-0:up", "node-1:up", "node-2:down"], nodes.Select(n => $"{n.Node}:{(n.IsUp ? "up" : "down")}"));
        var sessions = await overview.SessionsAsync(default);
        Assert.Equal("node-0", Assert.Single(sessions.Items).Node);
        Assert.Equal(["node-2"], sessions.UnavailableNodes);
    }

    private static async Task<byte[]> ReadAllAsync(IAsyncEnumerable<byte[]> chunks)
    {
        using var all = new MemoryStream();
        await foreach (var chunk in chunks) all.Write(chunk);
        return all.ToArray();
    }
}
