using System.Globalization;
using CoreFileProfiler.Node.Cores;
using CoreFileProfiler.Node.Interop;
using CoreFileProfiler.Node.Processes;
using CoreFileProfiler.Node.Sandbox;
using CoreFileProfiler.Node.Terminals;
using Microsoft.Extensions.Options;

namespace CoreFileProfiler.Node.Debugging;

/// <summary>
/// Starts gdb under a shared terminal, confined by <see cref="GdbSandbox"/>: on a core (with its
/// executable when it can be found), handed over to an unprivileged uid, or attached to a process.
/// </summary>
public sealed class GdbLauncher(IOptions<ProfilerOptions> options, ProcessTable processes, CoreStore store, GdbSandbox sandbox, SandboxUids uids)
{
    public const int InitialCols = 120;
    public const int InitialRows = 36;

    // Interrupt whatever runs, let go of the process, leave: the process runs on as before.
    private const string DetachAndQuit = "\u0003detach\nquit\n";

    /// <summary><c>gdb &lt;exe&gt; -c &lt;core&gt;</c>, or <c>gdb -c &lt;core&gt;</c> with a word on why symbols are missing.</summary>
    public SharedTerminal StartOnCore(string corePath)
    {
        if (sandbox.Unavailable is { } why) throw new SandboxUnavailableException($"gdb cannot be sandboxed on this node ({why}), so it does not run.");
        var uid = uids.Rent();
        HandOverDirectory? handOver = null;
        try
        {
            handOver = HandOverDirectory.Create(store.Root, uid);
            var name = Path.GetFileName(CompressedCore.Uncompressed(corePath));
            // gdb reads cores at random: a compressed one gets a plain copy for as long as gdb runs.
            var core = CompressedCore.IsCompressed(corePath) ? handOver.AddDecompressed(corePath, name) : handOver.Add(corePath, name);
            var (executable, containerRoot, source) = FindExecutable(corePath, core);
            // gdb reaches what it was handed through descriptor 3: the store's parents need not be open to it.
            var given = PseudoTerminal.HandedOverDirectory;
            handOver.Add(GdbSandbox.Script, GdbSandbox.HandedOverScript);
            List<string> command = [options.Value.Gdb, "-q", .. GdbSandbox.CoreArguments(given), "-iex", "set debuginfod enabled off"];
            if (containerRoot is not null)
            {
                handOver.AddSysroot(containerRoot, CoreNotes.Read(core)?.MappedFiles ?? []);
                command.AddRange(["-iex", $"set sysroot {given}/{HandOverDirectory.Sysroot}"]);
            }

            if (executable is not null) command.Add($"{given}/{Path.GetFileName(handOver.Add(executable, "executable-" + Path.GetFileName(executable)))}");
            command.AddRange(["-c", $"{given}/{name}"]);

            var terminal = new SharedTerminal(
                PseudoTerminal.Start(command, GdbSandbox.Environment(sandbox.CorePolicy(given)), InitialCols, InitialRows, GdbSandbox.CorePrivileges(uid), handOver.Path),
                "gdb");
            var handedOver = handOver;
            terminal.Ended.ContinueWith(_ => Release(handedOver, uid), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
            terminal.Announce(executable is not null
                ? $"core-file-profiler: {Path.GetFileName(corePath)} with executable {executable} (from {source})."
                : $"core-file-profiler: the executable of {Path.GetFileName(corePath)} was not found ({source}); symbols will be missing.");
            return terminal;
        }
        catch
        {
            Release(handOver, uid);
            throw;
        }
    }

    /// <summary><c>gdb -p &lt;pid&gt;</c> with the process's own root as sysroot, so libraries resolve inside its container.</summary>
    public SharedTerminal StartOnProcess(int pid)
    {
        var root = Path.Join(options.Value.ProcRoot, pid.ToString(CultureInfo.InvariantCulture), "root");
        List<string> command = [options.Value.Gdb, "-q", "-iex", "set debuginfod enabled off", "-iex", $"set sysroot {root}", .. GdbSandbox.AttachArguments(pid)];

        var terminal = new SharedTerminal(
            PseudoTerminal.Start(command, GdbSandbox.Environment(sandbox.AttachPolicy(pid)), InitialCols, InitialRows, GdbSandbox.AttachPrivileges), "gdb", DetachAndQuit);
        terminal.Announce($"core-file-profiler: attaching to pid {pid}; it is stopped while gdb holds it ('continue' or 'detach' lets it run). Every line typed here is audited.");
        // Whatever happened to gdb, the process must not stay stopped.
        terminal.Ended.ContinueWith(_ => LibC.Signal(pid, LibC.SIGCONT), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        return terminal;
    }

    /// <summary>
    /// The collector's metadata first (it saw the process alive): while the container still runs,
    /// the executable from the container's root (and that root, for its libraries); else the
    /// collector's copy of the exact binary; else the paths the metadata and the core's own notes
    /// name, on this node.
    /// </summary>
    internal (string? Executable, string? ContainerRoot, string Source) FindExecutable(string corePath, string readableCore)
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

    private void Release(HandOverDirectory? handOver, int uid)
    {
        try
        {
            handOver?.Dispose();
        }
        finally
        {
            uids.Return(uid);
        }
    }
}
