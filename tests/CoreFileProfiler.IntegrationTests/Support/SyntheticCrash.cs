using System.Globalization;
using System.Security.Cryptography;

namespace CoreFileProfiler.IntegrationTests.Support;

/// <summary>
/// A crash as the collector would see it from a pod's container, without the kernel: a synthetic
/// <c>/proc/&lt;pid&gt;</c> (cgroup of a Docker container, <c>exe</c> linking to a real program) and the
/// kubelet's log link naming the container, for <see cref="Collector"/> on stdin.
/// </summary>
public sealed class SyntheticCrash
{
    private readonly string _procRoot;
    private readonly string _logRoot;

    public SyntheticCrash(string directory, string executable, string ns, string pod, string container, int pid = 4242)
    {
        Pid = pid;
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        _procRoot = Path.Join(directory, "proc");
        _logRoot = Path.Join(directory, "log");
        var process = Directory.CreateDirectory(Path.Join(_procRoot, pid.ToString(CultureInfo.InvariantCulture))).FullName;
        File.WriteAllText(Path.Join(process, "cgroup"), $"0::/docker/{id}\n");
        File.CreateSymbolicLink(Path.Join(process, "exe"), executable);
        Directory.CreateDirectory(Path.Join(_logRoot, "containers"));
        File.WriteAllText(Path.Join(_logRoot, "containers", $"{pod}_{ns}_{container}-{id}.log"), "");
    }

    public int Pid { get; }

    public static DateTimeOffset Time { get; } = new(2026, 11, 27, 13, 14, 15, TimeSpan.Zero);

    /// <summary>The name the collector gives the core (<c>&lt;pid&gt;_&lt;time&gt;</c>).</summary>
    public string CoreName => $"{Pid}_{Time:yyyyMMdd-HHmmss}";

    /// <summary>Runs the real collector on <paramref name="core"/> into <paramref name="coreRoot"/>; returns the path it filed.</summary>
    /// <param name="time">When the crash happened, if not at <see cref="Time"/>.</param>
    public Task<string> CollectAsync(byte[] core, string coreRoot, IDictionary<string, string>? settings = null, DateTimeOffset? time = null) =>
        Collector.CollectAsync(core, coreRoot, _logRoot,
            ["-P", Pid.ToString(CultureInfo.InvariantCulture), "-s", "11", "-t", (time ?? Time).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)],
            new Dictionary<string, string>(settings ?? new Dictionary<string, string>())
            {
                ["CORE_COLLECTOR_PROC_ROOT"] = _procRoot,
                // Nothing answers there: the kubelet's log link names the container.
                ["CORE_COLLECTOR_DOCKER_ENDPOINT"] = "unix:///nonexistent/docker.sock",
            });
}
