using CoreFileProfiler.Grains.Persistence;
using CoreFileProfiler.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace CoreFileProfiler.Tests.Grains;

/// <summary>Opening a session writes its own registry entry, not the node's whole registry: the cost of an open does not grow with the live sessions.</summary>
public sealed class SessionOpenCostTests : IAsyncLifetime
{
    private const string Node = "node-0";
    private ProfilerCluster _cluster = null!;
    private CountingSessionRegistry _registry = null!;

    public async Task InitializeAsync()
    {
        _cluster = await ProfilerCluster.StartAsync(
            configure: o => o.MaxSessions = 20_000,
            services: services => services.AddSingleton<ISessionRegistry>(s => _registry = new CountingSessionRegistry(s.GetRequiredService<RegistryEntrySeal>())));
        _cluster.WriteCore(Node, "default/web-1/app/42_20261127-120000");
    }

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task An_open_writes_one_entry_of_the_same_size_with_10_or_10000_sessions_live()
    {
        var profiler = _cluster.Grains.GetNodeProfiler(Node);
        var request = new SessionRequest(SessionType.Coredump, 3600, null, 0, "default", "web-1", null);
        await OpenAsync(10);
        var atTen = await CostOfAnOpenAsync();
        await OpenAsync(10_000 - 11);
        Assert.Equal(10_000, (await profiler.GetStatus()).LiveSessions);
        var atTenThousand = await CostOfAnOpenAsync();

        Assert.Equal((1, atTen.Bytes), atTenThousand);
        Assert.Equal(1, atTen.Writes);
        Assert.InRange(atTen.Bytes, 1, 256); // an id and a time, sealed

        async Task OpenAsync(int count)
        {
            // In batches, as concurrent processor calls come.
            foreach (var batch in Enumerable.Range(0, count).Chunk(100)) await Task.WhenAll(batch.Select(_ => profiler.OpenSession(request)));
        }

        async Task<(int Writes, long Bytes)> CostOfAnOpenAsync()
        {
            var (writes, bytes) = (_registry.Writes, _registry.Bytes);
            await profiler.OpenSession(request);
            return (_registry.Writes - writes, _registry.Bytes - bytes);
        }
    }
}
