using System.Diagnostics;

namespace CoreFileProfiler.IntegrationTests.Support;

/// <summary>
/// A private Docker Engine for the tests: its own data, exec root and
/// socket, no networking, a busybox image imported from a tarball (no registry is reachable),
/// and containers labelled as the kubelet labels a pod's.
/// </summary>
public sealed class DockerEngine : IAsyncDisposable
{
    public const string Image = "localhost/cfp-busybox:latest";

    private readonly TempDirectory _temp;
    private readonly Process _daemon;

    private DockerEngine(TempDirectory temp, Process daemon)
    {
        _temp = temp;
        _daemon = daemon;
    }

    public string Socket => Path.Join(_temp.Path, "docker.sock");

    public string Endpoint => $"unix://{Socket}";

    public static async Task<DockerEngine> StartAsync()
    {
        var temp = new TempDirectory();
        var root = temp.Path;
        var daemon = Process.Start(new ProcessStartInfo("dockerd")
        {
            ArgumentList =
            {
                "--data-root", Path.Join(root, "data"), "--exec-root", Path.Join(root, "exec"), "--pidfile", Path.Join(root, "dockerd.pid"),
                "--host", $"unix://{Path.Join(root, "docker.sock")}", "--iptables=false", "--ip6tables=false", "--bridge=none",
                "--ip-forward=false", "--ip-masq=false",
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var engine = new DockerEngine(temp, daemon);
        daemon.OutputDataReceived += (_, _) => { };
        daemon.ErrorDataReceived += (_, _) => { };
        daemon.BeginOutputReadLine();
        daemon.BeginErrorReadLine();

        var clock = Stopwatch.StartNew();
        while ((await engine.DockerAsync("info")).ExitCode != 0)
        {
            if (daemon.HasExited || clock.Elapsed > TimeSpan.FromSeconds(60)) throw new InvalidOperationException("dockerd did not start.");
            await Task.Delay(250);
        }

        await engine.ImportBusyboxAsync();
        return engine;
    }

    /// <summary>Starts <paramref name="command"/> in a container labelled as container <paramref name="name"/> of pod <paramref name="ns"/>/<paramref name="pod"/>; returns its id.</summary>
    public Task<string> RunPodContainerAsync(string ns, string pod, string name, params string[] command) =>
        RunPodContainerFromAsync(Image, ns, pod, name, command);

    /// <summary>As <see cref="RunPodContainerAsync"/>, from <paramref name="image"/> (one made by <see cref="ImportAsync"/>).</summary>
    public async Task<string> RunPodContainerFromAsync(string image, string ns, string pod, string name, params string[] command)
    {
        string[] arguments =
        [
            "run", "-d", "--network", "none", "--init",
            "--label", $"io.kubernetes.pod.namespace={ns}", "--label", $"io.kubernetes.pod.name={pod}", "--label", $"io.kubernetes.container.name={name}",
            image, .. command,
        ];
        var (code, output) = await DockerAsync(arguments);
        return code == 0 ? output.Trim() : throw new InvalidOperationException($"docker run failed: {output}");
    }

    /// <summary>Host pids of a container's processes whose command line starts with <paramref name="command"/>.</summary>
    /// <summary>
    /// The one host pid of the container running <paramref name="command"/>, once it runs it: <c>docker run -d</c>
    /// returns while runc may still be exec'ing it (on a loaded machine, long enough to find nothing).
    /// </summary>
    public static async Task<int> HostPidAsync(string containerId, string command)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            var pids = HostPidsRunning(containerId, command);
            if (pids.Length > 0 || DateTime.UtcNow > deadline) return pids.Single();
            await Task.Delay(50);
        }
    }

    public static int[] HostPidsRunning(string containerId, string command) =>
        Directory.EnumerateDirectories("/proc")
            .Select(d => int.TryParse(Path.GetFileName(d), out var pid) ? pid : 0)
            .Where(pid => pid > 0 && Read($"/proc/{pid}/cgroup").Contains(containerId, StringComparison.Ordinal)
                                  && Read($"/proc/{pid}/cmdline").Replace('\0', ' ').StartsWith(command, StringComparison.Ordinal))
            .ToArray();

    public Task<(int ExitCode, string Output)> DockerAsync(params string[] arguments) =>
        Command.RunAsync("docker", ["-H", Endpoint, .. arguments]);

    private async Task ImportBusyboxAsync()
    {
        var rootfs = Path.Join(_temp.Path, "rootfs");
        foreach (var directory in new[] { "bin", "proc", "sys", "dev", "etc", "tmp" }) Directory.CreateDirectory(Path.Join(rootfs, directory));
        File.Copy(File.Exists("/bin/busybox") ? "/bin/busybox" : "/usr/bin/busybox", Path.Join(rootfs, "bin", "busybox"));
        foreach (var applet in new[] { "sh", "sleep", "cat", "ls", "ps" }) File.CreateSymbolicLink(Path.Join(rootfs, "bin", applet), "busybox");
        await ImportAsync(rootfs, Image);
    }

    /// <summary>Makes image <paramref name="image"/> of the directory tree <paramref name="rootfs"/> (no registry is reachable).</summary>
    public async Task ImportAsync(string rootfs, string image)
    {
        var tarball = Path.Join(_temp.Path, $"{Path.GetFileName(rootfs)}-{Guid.NewGuid():N}.tar");
        await Command.RunAsync("tar", ["-C", rootfs, "-cf", tarball, "."]);
        var (code, output) = await DockerAsync("import", tarball, image);
        File.Delete(tarball);
        if (code != 0) throw new InvalidOperationException($"docker import failed: {output}");
    }

    private static string Read(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return "";
        }
    }

    public async ValueTask DisposeAsync()
    {
        var (_, ids) = await DockerAsync("ps", "-aq");
        foreach (var id in ids.Split('\n', StringSplitOptions.RemoveEmptyEntries)) await DockerAsync("rm", "-f", id);
        if (!_daemon.HasExited)
        {
            // SIGTERM lets dockerd unmount its layers; SIGKILL only if it will not go.
            await Command.RunAsync("kill", ["-TERM", _daemon.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            try
            {
                await _daemon.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
            }
            catch (TimeoutException)
            {
                _daemon.Kill();
                await _daemon.WaitForExitAsync();
            }
        }

        _daemon.Dispose();
        _temp.Dispose();
    }
}
