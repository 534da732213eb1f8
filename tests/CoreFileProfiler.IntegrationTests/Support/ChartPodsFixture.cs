using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using YamlDotNet.RepresentationModel;

namespace CoreFileProfiler.IntegrationTests.Support;

/// <summary>
/// Two silos (node-a, node-b) started from the rendered chart on a private dockerd as
/// <see cref="ChartPod"/> describes, against a real redis-server started from the chart's own
/// redis.conf. One release's Secrets (certificates, Redis password, admin token) serve both pods;
/// each pod gets its own ports through the chart's values, since here the pod network is the host's.
/// </summary>
/// <remarks>
/// Orleans' Kubernetes hosting needs an API server, which cannot run here. A kubelet injects
/// KUBERNETES_SERVICE_HOST into every pod, and with it the silo turns that hosting on; these pods
/// do not get it, so they run every other line of the pod's start-up: the address comes from
/// POD_IP, the node from NODE_NAME, the cluster from the chart's Redis and certificates.
/// </remarks>
public sealed class ChartPodsFixture : IAsyncLifetime
{
    public const string FullName = "cfp-core-file-profiler"; // release "cfp"
    private const string Namespace = "kubediag";
    public const string CoreRoot = "/var/lib/kubediag/corefile"; // the chart's default, a hostPath on every node

    private readonly TempDirectory _temp = new();
    private RedisServer? _redis;

    public DockerEngine Docker { get; private set; } = null!;

    public RunningPod A { get; private set; } = null!;

    public RunningPod B { get; private set; } = null!;

    /// <summary>The crashing program (its cores are filed with the collector's copy of it, as on a node).</summary>
    public string Crasher { get; private set; } = null!;

    public string WorkDirectory => _temp.Path;

    public async Task InitializeAsync()
    {
        try
        {
            Docker = await DockerEngine.StartAsync();
            var (release, portsA) = await RenderAsync();
            var redisConf = Path.Join(_temp.Path, "redis.conf");
            await File.WriteAllTextAsync(redisConf, release.SecretValue($"{FullName}-redis", "redis.conf"));
            _redis = await RedisServer.StartAsync(redisConf, release.SecretValue($"{FullName}-redis", "password"));
            Crasher = await CrashingProgram.BuildAsync(Directory.CreateDirectory(Path.Join(_temp.Path, "programs")).FullName);

            var adminToken = release.SecretValue($"{FullName}-auth", "admin-token");
            A = await StartPodAsync("node-a", release, release, portsA, adminToken);
            var (manifestsB, portsB) = await RenderAsync();
            B = await StartPodAsync("node-b", manifestsB, release, portsB, adminToken);
            await WaitForNodesUpAsync(A, "node-a", "node-b");
        }
        catch
        {
            await DisposeAsync(); // xunit does not dispose a fixture that failed to start
            throw;
        }
    }

    public async Task DisposeAsync()
    {
        A?.Http.Dispose();
        B?.Http.Dispose();
        if (Docker is not null) await Docker.DisposeAsync();
        if (_redis is not null) await _redis.DisposeAsync();
        _temp.Dispose();
    }

    /// <summary>The chart as one node's pod gets it: the release's values but for its own ports.</summary>
    private static async Task<(List<YamlMappingNode> Manifests, NodePorts Ports)> RenderAsync()
    {
        var ports = new NodePorts(FreePort.Next(), FreePort.Next(), FreePort.Next());
        var (manifests, _) = await HelmChart.RenderAsync(set: [$"ports.http={ports.Http}", $"ports.silo={ports.Silo}", $"ports.forwarding={ports.Forwarding}"], release: "cfp", ns: Namespace);
        return (manifests, ports);
    }

    private async Task<RunningPod> StartPodAsync(string node, List<YamlMappingNode> manifests, List<YamlMappingNode> secrets, NodePorts ports, string adminToken)
    {
        var hostRoot = Path.Join(_temp.Path, node);
        var pod = new ChartPod(
            Node: node,
            PodName: $"{FullName}-{node}",
            PodNamespace: Namespace,
            PodIp: "127.0.0.1",
            HostPaths: new Dictionary<string, string>
            {
                [CoreRoot] = Path.Join(hostRoot, "cores"),
                ["/var/log/containers"] = Path.Join(hostRoot, "log", "containers"),
                ["/var/log/pods"] = Path.Join(hostRoot, "log", "pods"),
            },
            ServiceAddresses: new Dictionary<string, string> { [$"{FullName}-redis:6379"] = $"127.0.0.1:{_redis!.Port}" });

        var (code, output) = await Docker.DockerAsync([.. pod.RunArguments(manifests, secrets, _temp.Path)]);
        if (code != 0) throw new InvalidOperationException($"docker run: {output}");
        var (_, pid) = await Docker.DockerAsync("inspect", "-f", "{{.State.Pid}}", pod.PodName);
        var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{ports.Http}"), Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", adminToken);
        return new RunningPod(node, pod.PodName, int.Parse(pid.Trim(), System.Globalization.CultureInfo.InvariantCulture), ports,
            pod.HostPaths[CoreRoot], pod.HostPaths["/var/log/containers"], http);
    }

    private async Task WaitForNodesUpAsync(RunningPod gateway, params string[] nodes)
    {
        var clock = Stopwatch.StartNew();
        var seen = "";
        while (clock.Elapsed < TimeSpan.FromSeconds(90))
        {
            try
            {
                var listed = await gateway.Http.GetFromJsonAsync<JsonElement>("/api/nodes");
                seen = string.Join(", ", listed.EnumerateArray().Where(n => n.GetProperty("status").GetString() == "up").Select(n => n.GetProperty("node").GetString()).Order());
                if (seen == string.Join(", ", nodes)) return;
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }

            await Task.Delay(250);
        }

        var logs = string.Join("\n", await Task.WhenAll(new[] { A, B }.Where(p => p is not null).Select(async p => $"{p.Name}:\n{(await Docker.DockerAsync("logs", "--tail", "30", p.Name)).Output}")));
        throw new TimeoutException($"Up: [{seen}], not [{string.Join(", ", nodes)}], after 90 s.\n{logs}");
    }

    public sealed record NodePorts(int Http, int Silo, int Forwarding);

    /// <summary>A profiler pod: its process on this machine, its ports, the host directories behind its core store and log links, an admin client.</summary>
    public sealed record RunningPod(string Node, string Name, int Pid, NodePorts Ports, string CoreStore, string ContainerLogs, HttpClient Http);
}
