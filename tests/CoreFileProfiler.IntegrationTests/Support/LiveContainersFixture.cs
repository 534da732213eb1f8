namespace CoreFileProfiler.IntegrationTests.Support;

/// <summary>
/// A real Docker Engine running pod <c>default/live-pod</c> (containers <c>app</c> and <c>sidecar</c>,
/// each running <c>sleep</c>), a silo that finds them through Docker, and a silo with Docker out
/// of reach that finds them through /proc and a kubelet-style <c>/var/log/containers</c> tree.
/// </summary>
public sealed class LiveContainersFixture : IAsyncLifetime
{
    public const string Namespace = "default";
    public const string Pod = "live-pod";

    private readonly TempDirectory _temp = new();

    public DockerEngine Docker { get; private set; } = null!;

    /// <summary>Finds containers through Docker (and the log tree, which must agree).</summary>
    public SiloProcess Silo { get; private set; } = null!;

    /// <summary>Docker out of reach: /proc and /var/log/containers only.</summary>
    public SiloProcess FallbackSilo { get; private set; } = null!;

    public int AppSleepPid { get; private set; }

    public int SidecarSleepPid { get; private set; }

    public async Task InitializeAsync()
    {
        try
        {
            await StartAsync();
        }
        catch
        {
            await DisposeAsync(); // xunit does not dispose a fixture that failed to start
            throw;
        }
    }

    private async Task StartAsync()
    {
        Docker = await DockerEngine.StartAsync();
        var app = await Docker.RunPodContainerAsync(Namespace, Pod, "app", "/bin/sleep", "3000");
        var sidecar = await Docker.RunPodContainerAsync(Namespace, Pod, "sidecar", "/bin/sleep", "3001");
        AppSleepPid = await DockerEngine.HostPidAsync(app, "/bin/sleep 3000");
        SidecarSleepPid = await DockerEngine.HostPidAsync(sidecar, "/bin/sleep 3001");

        // What the kubelet lays out on every node, whatever the runtime.
        var logRoot = Path.Join(_temp.Path, "log");
        Directory.CreateDirectory(Path.Join(logRoot, "containers"));
        foreach (var (id, name) in new[] { (app, "app"), (sidecar, "sidecar") })
        {
            File.CreateSymbolicLink(Path.Join(logRoot, "containers", $"{Pod}_{Namespace}_{name}-{id}.log"), $"/var/log/pods/{Namespace}_{Pod}_uid/{name}/0.log");
        }

        Silo = await SiloProcess.StartAsync(Path.Join(_temp.Path, "silo"), $"--Profiler:DockerEndpoint={Docker.Endpoint}", $"--Profiler:LogRoot={logRoot}");
        FallbackSilo = await SiloProcess.StartAsync(Path.Join(_temp.Path, "fallback"), $"--Profiler:DockerEndpoint=unix://{_temp.Path}/no-docker.sock", $"--Profiler:LogRoot={logRoot}");
    }

    public async Task DisposeAsync()
    {
        if (Silo is not null) await Silo.DisposeAsync();
        if (FallbackSilo is not null) await FallbackSilo.DisposeAsync();
        if (Docker is not null) await Docker.DisposeAsync();
        _temp.Dispose();
    }
}
