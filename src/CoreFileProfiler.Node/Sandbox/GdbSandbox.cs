using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using CoreFileProfiler.Node.Terminals;

namespace CoreFileProfiler.Node.Sandbox;

/// <summary>
/// How gdb is confined. On a core: its own uid (setpriv, no groups, no capabilities), no new
/// privileges, and, from <c>gdb-sandbox.py</c> before gdb reads any input, Landlock (read only
/// its hand-over directory and the system's libraries, write and execute nothing, no TCP, no
/// signals outside itself) and seccomp (no execve, no new processes, no sockets, ptrace,
/// cross-process memory or signals to others). Attached to a live process (admins only) gdb keeps
/// root and ptrace, for that one process: the script runs after the attach and refuses any further
/// attach, execve, fork and socket, signals to anyone else, and Landlock limits /proc to that process. At start-up a probe runs the sandbox once and logs which layers
/// this kernel gives; if it cannot be set up, gdb on cores is refused rather than run unconfined.
/// </summary>
public sealed partial class GdbSandbox(IOptions<ProfilerOptions> options, ILogger<GdbSandbox> logger) : IHostedService
{
    public const string PolicyVariable = "CFP_SANDBOX";

    public static readonly string Script = Path.Join(AppContext.BaseDirectory, "Sandbox", "gdb-sandbox.py");

    // The system gdb and its Python need; the ACL-less rest of the machine is out of reach.
    private static readonly string[] SystemReadable = ["/usr", "/lib", "/lib64", "/etc/ld.so.cache", "/proc/self"];
    private static readonly string[] ReadWrite = ["/dev/null"];

    /// <summary>Why sandboxed terminals cannot start on this node, or null.</summary>
    public string? Unavailable { get; private set; } = "the sandbox has not been checked yet";

    /// <summary>
    /// setpriv options for a core's gdb: its own uid and gid, no groups, no new privileges. A silo
    /// that is not root (a developer's <c>dotnet run</c>) cannot switch users, and its gdb holds no
    /// more than the silo's own user does: it keeps that user, under the other layers.
    /// </summary>
    public static IReadOnlyList<string> CorePrivileges(int uid) => System.Environment.IsPrivilegedProcess
        ? [$"--reuid={uid}", $"--regid={uid}", "--clear-groups", "--no-new-privs"]
        : ["--no-new-privs"];

    /// <summary>setpriv options for a live attach: root with ptrace, but no new privileges.</summary>
    public static IReadOnlyList<string> AttachPrivileges { get; } = ["--no-new-privs"];

    /// <summary>The script's name in a hand-over directory.</summary>
    public const string HandedOverScript = "sandbox.py";

    /// <summary>
    /// gdb's first arguments on a core: no init files, no auto-loading, the sandbox before anything
    /// is read. The script comes from the hand-over directory (<paramref name="handedOver"/>), the
    /// one place the sandbox uid is sure to be able to read, wherever the silo is installed.
    /// </summary>
    public static IReadOnlyList<string> CoreArguments(string handedOver) =>
        ["-nx", "-iex", "set auto-load off", "-iex", $"source {handedOver}/{HandedOverScript}"];

    /// <summary>gdb's arguments around a live attach: the sandbox goes on once the attach is done.</summary>
    public static IReadOnlyList<string> AttachArguments(int pid) =>
        ["-nx", "-iex", "set auto-load off", "-p", pid.ToString(CultureInfo.InvariantCulture), "-ex", $"source {Script}"];

    /// <summary>The policy of a core's gdb: read its hand-over directory, the system and the source roots.</summary>
    public KeyValuePair<string, string> CorePolicy(string handOver) => Policy("core", null,
        [handOver, .. SystemReadable, .. options.Value.Sandbox.SourceRoots], announce: true);

    /// <summary>The policy of gdb attached to <paramref name="pid"/>: /proc of that process (and its threads), its files, and the system.</summary>
    public KeyValuePair<string, string> AttachPolicy(int pid)
    {
        var proc = options.Value.ProcRoot;
        var threads = Directory.Exists(Path.Join(proc, $"{pid}", "task"))
            ? Directory.EnumerateDirectories(Path.Join(proc, $"{pid}", "task")).Select(t => Path.Join(proc, Path.GetFileName(t)))
            : [];
        // <pid>/root is a way into the process's own filesystem (its libraries, loaded later too).
        return Policy("attach", pid, [.. SystemReadable, Path.Join(proc, $"{pid}"), Path.Join(proc, $"{pid}", "root"), .. threads], announce: true);
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            HandOverDirectory.RemoveLeftovers(options.Value.CoreRoot, options.Value.Sandbox);
            var layers = await ProbeAsync(cancellationToken);
            Unavailable = null;
            LogReady(logger, layers);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            Unavailable = e.Message;
            LogUnavailable(logger, e.Message);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Runs a sandboxed gdb once, exactly as a terminal runs it, on an empty hand-over directory; returns the layers it reported.</summary>
    private async Task<string> ProbeAsync(CancellationToken cancellationToken)
    {
        // The store must take ACLs for a hand-over to work: the probe's own directory tries it.
        using var handOver = HandOverDirectory.Create(options.Value.CoreRoot, options.Value.Sandbox.FirstUid + options.Value.Sandbox.UidCount - 1);
        handOver.AddHostFile(Script, HandedOverScript);
        var given = PseudoTerminal.HandedOverDirectory;
        List<string> command = [options.Value.Gdb, "-q", "-batch", .. CoreArguments(given)];
        using var gdb = PseudoTerminal.Start(command, Environment(CorePolicy(given)), 120, 36, CorePrivileges(handOver.Uid), handOver.Path);
        var said = System.Text.Encoding.UTF8.GetString(await Task.Run(() => gdb.ReadUntilHangUp(TimeSpan.FromSeconds(30), 1 << 20, cancellationToken).Output, cancellationToken));
        const string Marker = "core-file-profiler: sandbox: ";
        var line = said.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith(Marker, StringComparison.Ordinal));
        return line is not null
            ? line[Marker.Length..].TrimEnd('.')
            : throw new InvalidOperationException($"a sandboxed gdb did not start: {said.ReplaceLineEndings(" ").Trim()}");
    }

    /// <summary>gdb's whole environment: nothing of the silo's (its admin token, its Redis password) but a PATH.</summary>
    public static Dictionary<string, string> Environment(KeyValuePair<string, string> policy) => new()
    {
        ["PATH"] = System.Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/bin:/usr/bin:/bin",
        ["HOME"] = "/nonexistent",
        ["TERM"] = "xterm-256color",
        ["LANG"] = "C.UTF-8",
        ["DEBUGINFOD_URLS"] = "",
        [policy.Key] = policy.Value,
    };

    private KeyValuePair<string, string> Policy(string mode, int? target, IEnumerable<string> read, bool announce) =>
        new(PolicyVariable, JsonSerializer.Serialize(new
        {
            mode, target, read, readWrite = ReadWrite, announce,
            memoryBytes = options.Value.Sandbox.MaxMemoryBytes, cpuSeconds = options.Value.Sandbox.MaxCpuSeconds,
        }));

    [LoggerMessage(Level = LogLevel.Information, Message = "gdb sandbox: {Layers}")]
    private static partial void LogReady(ILogger logger, string layers);

    [LoggerMessage(Level = LogLevel.Error, Message = "gdb sandbox unavailable, so gdb on cores is refused on this node: {Reason}")]
    private static partial void LogUnavailable(ILogger logger, string reason);
}
