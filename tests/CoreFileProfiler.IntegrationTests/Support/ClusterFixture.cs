using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace CoreFileProfiler.IntegrationTests.Support;

/// <summary>
/// Three real silo processes (node-a, node-b, node-c), each with its own ports and core root,
/// clustered through a real redis-server with a password, over mutual TLS with certificates of
/// one private authority, with fast failure detection and an admin token.
/// </summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    public const string AdminToken = "cluster-test-admin-token";

    public static readonly string[] Nodes = ["node-a", "node-b", "node-c"];

    private readonly TempDirectory _temp = new();
    private readonly Dictionary<string, SiloProcess> _silos = [];

    public TestCertificateAuthority Authority { get; } = new("cluster-test-ca");

    public RedisServer Redis { get; private set; } = null!;

    public string Crasher { get; private set; } = null!;

    public SiloProcess A => _silos["node-a"];

    public SiloProcess B => _silos["node-b"];

    public SiloProcess C => _silos["node-c"];

    public IEnumerable<SiloProcess> Silos => _silos.Values;

    public async Task InitializeAsync()
    {
        try
        {
            Redis = await RedisServer.StartAsync();
            var building = CrashingProgram.BuildAsync(_temp.Path);
            foreach (var silo in await Task.WhenAll(Nodes.Select(StartSiloAsync))) _silos[silo.Node] = silo;
            Crasher = await building;
            foreach (var silo in Silos) await WaitForNodesAsync(silo, up: Nodes);
        }
        catch
        {
            await DisposeAsync(); // xunit does not dispose a fixture that failed to start
            throw;
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var silo in _silos.Values) await silo.DisposeAsync();
        if (Redis is not null) await Redis.DisposeAsync();
        Authority.Dispose();
        _temp.Dispose();
    }

    /// <summary>SIGKILLs a node's silo and starts a new one for it (same core root, new ports).</summary>
    public async Task KillAsync(string node) => await _silos[node].KillAsync();

    public async Task<SiloProcess> RestartAsync(string node)
    {
        await _silos[node].DisposeAsync();
        return _silos[node] = await StartSiloAsync(node);
    }

    /// <summary>Crashes the test program and files its core in <paramref name="silo"/>'s store.</summary>
    public Task<string> CrashIntoAsync(SiloProcess silo, string pod) =>
        CrashingProgram.CrashIntoStoreAsync(Crasher, _temp.Path, silo.CoreRoot, SiloFixture.Namespace, pod, "app");

    /// <summary>Opens a coredump session of <paramref name="pod"/> on <paramref name="node"/> through <paramref name="gateway"/>.</summary>
    public static Task<string> OpenSessionAsync(SiloProcess gateway, string node, string pod) =>
        SiloFixture.OpenSessionAsync(gateway, CoredumpRequest(pod, node));

    /// <summary>What the KubeDiag agent sends for the cores of <paramref name="pod"/>'s app container on <paramref name="node"/>.</summary>
    public static Dictionary<string, string> CoredumpRequest(string pod, string node)
    {
        var body = SiloFixture.CoredumpRequest(pod, "app");
        body["node"] = node;
        return body;
    }

    public static async Task<HttpResponseMessage> AdminAsync(SiloProcess silo, HttpMethod method, string path, string? token = AdminToken)
    {
        using var request = new HttpRequestMessage(method, path);
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await silo.Http.SendAsync(request);
    }

    public static async Task<JsonElement> AdminGetAsync(SiloProcess silo, string path)
    {
        using var response = await AdminAsync(silo, HttpMethod.Get, path);
        Assert.True(response.IsSuccessStatusCode, $"{path} on {silo.Node}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>Waits until <paramref name="silo"/>'s <c>/api/nodes</c> shows the nodes as given; returns how long that took.</summary>
    /// <param name="nodes">The nodes looked at (the fixture's own by default): a test may have tried to add a silo of its own.</param>
    public static async Task<TimeSpan> WaitForNodesAsync(SiloProcess silo, string[] up, string[]? down = null, int seconds = 60, string[]? nodes = null)
    {
        nodes ??= Nodes;
        var clock = Stopwatch.StartNew();
        var expected = string.Join(", ", up.Select(n => $"{n}:up").Concat((down ?? []).Select(n => $"{n}:down")).Order());
        var seen = "";
        while (clock.Elapsed < TimeSpan.FromSeconds(seconds))
        {
            var listed = await AdminGetAsync(silo, "/api/nodes");
            seen = string.Join(", ", listed.EnumerateArray()
                .Where(n => nodes.Contains(n.GetProperty("node").GetString()))
                .Select(n => $"{n.GetProperty("node").GetString()}:{n.GetProperty("status").GetString()}").Order());
            if (seen == expected) return clock.Elapsed;
            await Task.Delay(100);
        }

        throw new TimeoutException($"{silo.Node} showed [{seen}], not [{expected}], for {seconds} s.\n{silo.LogTail()}");
    }

    /// <summary>GETs <paramref name="path"/> until it answers <paramref name="expected"/> or time is up; the last status.</summary>
    public static async Task<HttpStatusCode> StatusWithinAsync(SiloProcess gateway, string path, HttpStatusCode expected, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            using var response = await gateway.Http.GetAsync(path);
            if (response.StatusCode == expected || clock.Elapsed > limit) return response.StatusCode;
            await Task.Delay(100);
        }
    }

    /// <summary>The same URL (a page or a WebSocket) on another gateway.</summary>
    public static string OnGateway(string url, SiloProcess gateway) =>
        new UriBuilder(url) { Port = gateway.Port }.Uri.ToString();

    private Task<SiloProcess> StartSiloAsync(string node) =>
        SiloProcess.StartAsync(Path.Join(_temp.Path, node), node, "127.0.0.1", SiloArguments(node, Authority));

    /// <summary>Starts one more silo of this cluster for <paramref name="node"/>, with <paramref name="extra"/> settings; the test disposes it.</summary>
    public Task<SiloProcess> StartSiloAsync(string node, params string[] extra) =>
        SiloProcess.StartAsync(Path.Join(_temp.Path, node), node, "127.0.0.1", [.. SiloArguments(node, Authority), .. extra]);

    /// <summary>Starts a silo for <paramref name="node"/> with this cluster's Redis and ids but a certificate of <paramref name="authority"/>, without waiting for it.</summary>
    public SiloProcess LaunchSilo(string node, TestCertificateAuthority authority) =>
        SiloProcess.Launch(Path.Join(_temp.Path, node), node, "127.0.0.1", SiloArguments(node, authority));

    private string[] SiloArguments(string node, TestCertificateAuthority authority) =>
    [
        "--Cluster:Provider=Redis",
        $"--Cluster:Redis={Redis.ConnectionString}",
        "--Cluster:AdvertisedAddress=127.0.0.1",
        "--Cluster:Membership:ProbeTimeout=00:00:01",
        "--Cluster:Membership:NumMissedProbesLimit=2",
        $"--Auth:AdminToken={AdminToken}",
        .. authority.WriteSiloFiles(Path.Join(_temp.Path, node, "tls"), node),
    ];
}
