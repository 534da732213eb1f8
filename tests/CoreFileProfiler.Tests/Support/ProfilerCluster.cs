using CoreFileProfiler.Grains.Persistence;
using CoreFileProfiler.Node;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace CoreFileProfiler.Tests.Support;

/// <summary>
/// An in-process Orleans cluster with the profiler's grains: silo <c>i</c> runs node <c>node-i</c>
/// with its own core root under a temp directory.
/// </summary>
public sealed class ProfilerCluster : IAsyncDisposable
{
    private readonly TempDirectory _temp;

    private ProfilerCluster(InProcessTestCluster cluster, TempDirectory temp)
    {
        Cluster = cluster;
        _temp = temp;
    }

    public InProcessTestCluster Cluster { get; }

    public IGrainFactory Grains => Cluster.Client;

    /// <param name="services">More services for every silo (they win over the profiler's defaults, which are added only if missing).</param>
    public static async Task<ProfilerCluster> StartAsync(int silos = 1, TimeProvider? time = null, Action<ProfilerOptions>? configure = null, Action<IServiceCollection>? services = null)
    {
        var temp = new TempDirectory();
        var builder = new InProcessTestClusterBuilder((short)silos);
        builder.ConfigureSilo((options, silo) =>
        {
            var node = NodeOf(options.SiloName);
            silo.Services.Configure<ProfilerOptions>(o =>
            {
                o.NodeName = node;
                o.CoreRoot = Path.Join(temp.Path, node);
                configure?.Invoke(o);
            });
            if (time is not null)
            {
                silo.Services.AddSingleton(time);
                silo.Services.UseTimeProviderForBackgroundAreas(TimeProvider.System);
            }

            services?.Invoke(silo.Services);
            silo.AddMemoryGrainStorage(SessionStorage.Underneath);
            silo.AddCoreFileProfiler(node);
        });
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return new ProfilerCluster(cluster, temp);
    }

    /// <summary>The core root of <paramref name="node"/>.</summary>
    public string CoreRoot(string node) => Path.Join(_temp.Path, node);

    /// <summary>Files a core under the pod layout of <paramref name="node"/>'s store.</summary>
    public string WriteCore(string node, string relativePath, string content = "core bytes") =>
        _temp.Write(Path.Join(node, "kubernetes", relativePath), content);

    public SiloAddress SiloOf(string node) => Cluster.Silos.Single(s => NodeOf(s.Name) == node).SiloAddress;

    /// <summary>Where the grain is active right now, or null.</summary>
    public SiloAddress? WhereIs(IAddressable grain) =>
        Cluster.TryGetGrainContext(grain.GetGrainId(), out var context) ? context.Address.SiloAddress : null;

    /// <summary>Polls <paramref name="condition"/> for up to 5 s: for what grains do after a call returns (one-way notices, timers).</summary>
    public static async Task WaitUntil(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 100 && !await condition(); i++) await Task.Delay(50);
        Assert.True(await condition());
    }

    public async ValueTask DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
        _temp.Dispose();
    }

    private static string NodeOf(string siloName) => "node-" + siloName[(siloName.LastIndexOf('_') + 1)..];
}
