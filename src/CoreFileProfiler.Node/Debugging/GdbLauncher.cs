using System.Globalization;
using CoreFileProfiler.Node.Cores;
using CoreFileProfiler.Node.Interop;
using CoreFileProfiler.Node.Processes;
using CoreFileProfiler.Node.Terminals;
using Microsoft.Extensions.Options;

namespace CoreFileProfiler.Node.Debugging;

/// <summary>Starts gdb under a shared terminal: on a core (with its executable when it can be found) or attached to a process.</summary>
public sealed class GdbLauncher(IOptions<ProfilerOptions> options, ProcessTable processes, CoreStore store)
{
    public const int InitialCols = 120;
    public const int InitialRows = 36;

    // Interrupt whatever runs, let go of the process, leave: the process runs on as before.
    private const string DetachAndQuit = "\u0003detach\nquit\n";

    /// <summary><c>gdb &lt;exe&gt; -c &lt;core&gt;</c>, or <c>gdb -c &lt;core&gt;</c> with a word on why symbols are missing.</summary>
    public SharedTerminal StartOnCore(string corePath)
    {
        // gdb reads cores at random: a compressed one gets a plain copy for as long as gdb runs.
        var readable = CompressedCore.IsCompressed(corePath) ? CompressedCore.DecompressCopy(corePath, store.Root) : corePath;
        var (executable, sysroot, source) = FindExecutable(corePath, readable);
        var command = Gdb(sysroot);
        if (executable is not null) command.Add(executable);
        command.AddRange(["-c", readable]);

        var terminal = Start(command, farewell: null);
        if (readable != corePath)
        {
            terminal.Ended.ContinueWith(_ => CompressedCore.DeleteCopy(readable), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        }

        terminal.Announce(executable is not null
            ? $"core-file-profiler: {Path.GetFileName(corePath)} with executable {executable} (from {source})."
            : $"core-file-profiler: the executable of {Path.GetFileName(corePath)} was not found ({source}); symbols will be missing. If you have it: file /path/to/executable");
        return terminal;
    }

    /// <summary><c>gdb -p &lt;pid&gt;</c> with the process's own root as sysroot, so libraries resolve inside its container.</summary>
    public SharedTerminal StartOnProcess(int pid)
    {
        var root = Path.Join(options.Value.ProcRoot, pid.ToString(CultureInfo.InvariantCulture), "root");
        var command = Gdb(root);
        command.AddRange(["-p", pid.ToString(CultureInfo.InvariantCulture)]);

        var terminal = Start(command, DetachAndQuit);
        terminal.Announce($"core-file-profiler: attaching to pid {pid}; it is stopped while gdb holds it ('continue' or 'detach' lets it run).");
        // Whatever happened to gdb, the process must not stay stopped.
        terminal.Ended.ContinueWith(_ => LibC.Signal(pid, LibC.SIGCONT), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        return terminal;
    }

    /// <summary>
    /// The collector's metadata first (it saw the process alive): while the container still runs,
    /// the executable and libraries from the container's root; else the collector's copy of the
    /// exact binary; else the paths the metadata and the core's own notes name, on this node.
    /// </summary>
    internal (string? Executable, string? Sysroot, string Source) FindExecutable(string corePath, string readableCore)
    {
        var metadata = CoreMetadata.ReadFor(corePath);
        if (metadata is { Exe: { } inContainer, ContainerId: { } containerId }
            && processes.AllPids().FirstOrDefault(pid => processes.ContainerIdOf(pid) == containerId) is var live and > 0)
        {
            var root = Path.Join(options.Value.ProcRoot, live.ToString(CultureInfo.InvariantCulture), "root");
            var candidate = root + inContainer;
            if (File.Exists(candidate)) return (candidate, root, "the running container's filesystem");
        }

        if (metadata?.ExecutableCopy is { } copy && File.Exists(copy)) return (copy, null, "the collector's copy of the executable");

        var named = new List<(string Path, string Source)>();
        if (metadata?.Exe is { } fromMetadata && metadata.ContainerId is null) named.Add((fromMetadata, "the collector's metadata"));
        if (CoreNotes.Read(readableCore)?.Executable is { } fromNotes) named.Add((fromNotes, "the core's file notes"));
        foreach (var (path, source) in named)
        {
            // The kernel marks a binary replaced since the process started.
            var candidate = path.EndsWith(" (deleted)", StringComparison.Ordinal) ? path[..^10] : path;
            if (Path.IsPathRooted(candidate) && File.Exists(candidate) && metadata?.ContainerId is null) return (candidate, null, source);
        }

        return (null, null, named.Count == 0 ? "the core names none" : $"the core names {named[0].Path}, which is not on this node");
    }

    private List<string> Gdb(string? sysroot)
    {
        List<string> command = [options.Value.Gdb, "-q", "-nh", "-iex", "set debuginfod enabled off"];
        if (sysroot is not null) command.AddRange(["-iex", $"set sysroot {sysroot}"]);
        return command;
    }

    private static SharedTerminal Start(List<string> command, string? farewell) =>
        new(PseudoTerminal.Start(command, Environment(), InitialCols, InitialRows), "gdb", farewell);

    internal static Dictionary<string, string> Environment() => new()
    {
        ["PATH"] = System.Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/bin:/usr/bin:/bin",
        ["HOME"] = System.Environment.GetEnvironmentVariable("HOME") ?? "/root",
        ["TERM"] = "xterm-256color",
        ["LANG"] = "C.UTF-8",
        ["DEBUGINFOD_URLS"] = "",
    };
}
