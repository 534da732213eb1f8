namespace CoreFileProfiler.IntegrationTests.Support;

/// <summary>
/// Two real silo processes (node-a, node-b) clustered through a real redis-server without cluster TLS, so a
/// gateway forwards downloads to the other over plain HTTP/1.1, where it splices their bodies.
/// </summary>
public sealed class PlainClusterFixture : IAsyncLifetime
{
    public static readonly string[] Nodes = ["node-a", "node-b"];

    private readonly TempDirectory _temp = new();

    public RedisServer Redis { get; private set; } = null!;

    public SiloProcess A { get; private set; } = null!;

    public SiloProcess B { get; private set; } = null!;

    public string Crasher { get; private set; } = null!;

    public string WorkDirectory => _temp.Path;

    public async Task InitializeAsync()
    {
        try
        {
            Redis = await RedisServer.StartAsync();
            var building = CrashingProgram.BuildAsync(_temp.Path);
            var starting = Nodes.Select(node => StartSiloAsync(node)).ToArray();
            await Task.WhenAll(starting);
            (A, B) = (starting[0].Result, starting[1].Result);
            Crasher = await building;
            foreach (var silo in new[] { A, B }) await ClusterFixture.WaitForNodesAsync(silo, up: Nodes, nodes: Nodes);
        }
        catch
        {
            await DisposeAsync(); // xunit does not dispose a fixture that failed to start
            throw;
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var silo in new[] { A, B }.Where(s => s is not null)) await silo.DisposeAsync();
        if (Redis is not null) await Redis.DisposeAsync();
        _temp.Dispose();
    }

    /// <summary>Crashes the test program and files its core in <paramref name="silo"/>'s store.</summary>
    public Task<string> CrashIntoAsync(SiloProcess silo, string pod) =>
        CrashingProgram.CrashIntoStoreAsync(Crasher, _temp.Path, silo.CoreRoot, SiloFixture.Namespace, pod, "app");

    /// <summary>Starts a silo of this cluster for <paramref name="node"/>, with <paramref name="extra"/> settings; the caller disposes it.</summary>
    public Task<SiloProcess> StartSiloAsync(string node, params string[] extra) =>
        SiloProcess.StartAsync(Path.Join(_temp.Path, node), node, "127.0.0.1",
        [
            "--Cluster:Provider=Redis",
            $"--Cluster:Redis={Redis.ConnectionString}",
            "--Cluster:AdvertisedAddress=127.0.0.1",
            "--Cluster:Membership:ProbeTimeout=00:00:01",
            "--Cluster:Membership:NumMissedProbesLimit=2",
            $"--Auth:AdminToken={ClusterFixture.AdminToken}",
            .. extra,
        ]);
}
