using System.Globalization;
using CoreFileProfiler.Node.Cores;
using CoreFileProfiler.Node.Interop;
using CoreFileProfiler.Node.Processes;
using CoreFileProfiler.Node.Sandbox;
using CoreFileProfiler.Node.Terminals;
using CoreFileProfiler.Store;
using CoreFileProfiler.Store.Interop;
using Microsoft.Extensions.Options;
using Microsoft.Win32.SafeHandles;

namespace CoreFileProfiler.Node.Debugging;

/// <summary>
/// Starts gdb under a shared terminal, confined by <see cref="GdbSandbox"/>: on a core (with its
/// executable when it can be found), handed over to an unprivileged uid, or attached to a process.
/// Each gdb holds one of the node's <see cref="GdbProcessSlots"/> until it ends.
/// </summary>
public sealed class GdbLauncher(IOptions<ProfilerOptions> options, ProcessTable processes, CoreStore store, ExecutableCopyCheck copies, BuildIdSysroot buildIds, GdbSandbox sandbox, SandboxUids uids, GdbProcessSlots slots)
{
    public const int InitialCols = 120;
    public const int InitialRows = 36;

    // Interrupt whatever runs, let go of the process, leave: the process runs on as before.
    private const string DetachAndQuit = "\u0003detach\nquit\n";

    /// <summary><c>gdb &lt;exe&gt; -c &lt;core&gt;</c>, or <c>gdb -c &lt;core&gt;</c> with a word on why symbols are missing.</summary>
    /// <param name="cancellationToken">Stops a decompression under way (its partial copy removed): the session ended.</param>
    /// <exception cref="LimitReachedException">The node runs <c>Profiler:MaxGdbProcesses</c> already.</exception>
    public SharedTerminal StartOnCore(string corePath, CancellationToken cancellationToken = default)
    {
        if (sandbox.Unavailable is { } why) throw new SandboxUnavailableException($"gdb cannot be sandboxed on this node ({why}), so it does not run.");
        var slot = slots.Take();
        int uid;
        try
        {
            uid = uids.Rent();
        }
        catch
        {
            slot.Dispose();
            throw;
        }

        HandOverDirectory? handOver = null;
        try
        {
            handOver = HandOverDirectory.Create(store.Root, uid);
            var (command, announcement, _) = HandOverCore(handOver, corePath, Path.GetFileName(CompressedCore.Uncompressed(corePath)), cancellationToken);
            var terminal = new SharedTerminal(
                PseudoTerminal.Start(command, GdbSandbox.Environment(sandbox.CorePolicy(PseudoTerminal.HandedOverDirectory)), InitialCols, InitialRows, GdbSandbox.CorePrivileges(uid), handOver.Path),
                "gdb", limits: options.Value.TerminalLimits);
            var handedOver = handOver;
            terminal.Ended.ContinueWith(_ => Release(handedOver, uid, slot), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
            terminal.Announce(announcement);
            return terminal;
        }
        catch
        {
            Release(handOver, uid, slot);
            throw;
        }
    }

    /// <summary>
    /// gdb in batch mode on a core, sandboxed and given the executable and sysroot exactly as a
    /// terminal's gdb is, running <paramref name="commands"/> (<c>-ex</c>): what it printed, at most
    /// <paramref name="maxBytes"/>, and whether it finished within <paramref name="limit"/> (else it
    /// is killed), and the core's notes (which map addresses to files). Holds no slot of
    /// <see cref="GdbProcessSlots"/>: the caller bounds how many run.
    /// </summary>
    /// <exception cref="SandboxUnavailableException">gdb cannot be sandboxed here, or every sandbox uid is in use.</exception>
    public (string Output, bool Finished, CoreNotes? Notes) RunBatchOnCore(string corePath, IEnumerable<string> commands, TimeSpan limit, int maxBytes, CancellationToken cancellationToken = default)
    {
        if (sandbox.Unavailable is { } why) throw new SandboxUnavailableException($"gdb cannot be sandboxed on this node ({why}), so it does not run.");
        var uid = uids.Rent();
        try
        {
            using var handOver = HandOverDirectory.Create(store.Root, uid);
            // A name of its own: nobody reads it, and it is not mistaken for a terminal's copy of the core.
            var (command, _, core) = HandOverCore(handOver, corePath, "core", cancellationToken);
            command.InsertRange(1, ["-batch", "-iex", "set width 0", "-iex", "set height 0", "-iex", "set confirm off"]);
            foreach (var line in commands) command.AddRange(["-ex", line]);
            using var gdb = PseudoTerminal.Start(
                command, GdbSandbox.Environment(sandbox.CorePolicy(PseudoTerminal.HandedOverDirectory)), InitialCols, InitialRows, GdbSandbox.CorePrivileges(uid), handOver.Path);
            var (output, finished) = gdb.ReadUntilHangUp(limit, maxBytes, cancellationToken);
            return (System.Text.Encoding.UTF8.GetString(output), finished, CoreNotes.Read(core));
        }
        finally
        {
            uids.Return(uid);
        }
    }

    /// <summary>
    /// Puts the core (decompressed when it is zstd) in <paramref name="handOver"/> as <paramref name="name"/>,
    /// with the sandbox's script, the core's executable and, from a running container, its
    /// libraries; returns gdb's command line, a line for people on where the executable came from, and
    /// the plain core's path in the directory.
    /// </summary>
    private (List<string> Command, string Announcement, string Core) HandOverCore(HandOverDirectory handOver, string corePath, string name, CancellationToken cancellationToken)
    {
        // gdb reads cores at random: a compressed one gets a plain copy for as long as gdb runs.
        var core = CompressedCore.IsCompressed(corePath)
            ? handOver.AddDecompressed(corePath, name, FreeSpaceFloor.Parse(options.Value.MinFreeSpace), CoreMetadata.ReadFor(corePath)?.Size ?? 0, cancellationToken)
            : handOver.AddStoreFile(corePath, name);
        cancellationToken.ThrowIfCancellationRequested();
        // gdb reaches what it was handed through descriptor 3: the store's parents need not be open to it.
        var given = PseudoTerminal.HandedOverDirectory;
        handOver.AddHostFile(GdbSandbox.Script, GdbSandbox.HandedOverScript);
        List<string> command = [options.Value.Gdb, "-q", .. GdbSandbox.CoreArguments(given), "-iex", "set debuginfod enabled off"];
        using var executable = FindExecutable(corePath, core);
        var handedExecutable = executable.HandOver(handOver, TenantText.FileName("executable-", executable.Shown));
        string? symbols = null;
        if (executable.ContainerRoot is { } containerRoot)
        {
            handOver.AddSysroot(containerRoot, CoreNotes.Read(core)?.MappedFiles ?? []);
            command.AddRange(["-iex", $"set sysroot {given}/{HandOverDirectory.Sysroot}"]);
        }
        else
        {
            // The container is gone: its objects come from the build-id store, if the collector kept them.
            var (settings, announced) = buildIds.HandOver(handOver, CoreMetadata.ReadFor(corePath), given);
            foreach (var setting in settings) command.AddRange(["-iex", setting]);
            symbols = announced is null ? null : $"\r\ncore-file-profiler: {announced}";
        }

        if (handedExecutable is not null) command.Add($"{given}/{Path.GetFileName(handedExecutable)}");
        command.AddRange(["-c", $"{given}/{name}"]);
        var announcement = handedExecutable is not null
            ? $"core-file-profiler: {Path.GetFileName(corePath)} with executable {TenantText.Printable(executable.Shown ?? "")} (from {TenantText.Printable(executable.Source)})."
            : $"core-file-profiler: the executable of {Path.GetFileName(corePath)} was not found ({TenantText.Printable(executable.Source)}); symbols will be missing.";
        announcement += symbols;
        return (command, announcement, core);
    }

    /// <summary><c>gdb -p &lt;pid&gt;</c> with the process's own root as sysroot, so libraries resolve inside its container.</summary>
    /// <exception cref="LimitReachedException">The node runs <c>Profiler:MaxGdbProcesses</c> already.</exception>
    public SharedTerminal StartOnProcess(int pid)
    {
        var root = Path.Join(options.Value.ProcRoot, pid.ToString(CultureInfo.InvariantCulture), "root");
        List<string> command = [options.Value.Gdb, "-q", "-iex", "set debuginfod enabled off", "-iex", $"set sysroot {root}", .. GdbSandbox.AttachArguments(pid)];

        var slot = slots.Take();
        SharedTerminal terminal;
        try
        {
            terminal = new SharedTerminal(
                PseudoTerminal.Start(command, GdbSandbox.Environment(sandbox.AttachPolicy(pid)), InitialCols, InitialRows, GdbSandbox.AttachPrivileges),
                "gdb", DetachAndQuit, limits: options.Value.TerminalLimits);
        }
        catch
        {
            slot.Dispose();
            throw;
        }

        terminal.Ended.ContinueWith(_ => slot.Dispose(), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        terminal.Announce($"core-file-profiler: attaching to pid {pid}; it is stopped while gdb holds it ('continue' or 'detach' lets it run). Every line typed here is audited.");
        // Whatever happened to gdb, the process must not stay stopped.
        terminal.Ended.ContinueWith(_ => NodeLibC.Signal(pid, NodeLibC.SIGCONT), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        return terminal;
    }

    /// <summary>
    /// Where the core's executable comes from. The collector's metadata first (it saw the process
    /// alive): while the container still runs, from the container's own filesystem (and its
    /// libraries with it), as the container sees it; else the collector's copy in the store. Paths
    /// on this node (the metadata's, the core's own notes) only for a core outside any pod, which
    /// only an admin's session reaches: a pod's crash names paths its tenant chose.
    /// </summary>
    internal ExecutableSource FindExecutable(string corePath, string readableCore)
    {
        var metadata = CoreMetadata.ReadFor(corePath);
        if (metadata is { Exe: { } inContainer, ContainerId: { } containerId } && OpenContainerRoot(containerId) is { } root)
        {
            using var probe = LibC.OpenInRoot(root, inContainer);
            if (probe is not null) return new(inContainer, "the running container's filesystem", root, (h, name) => h.AddContainerFile(root, inContainer, name));
            root.Dispose();
        }

        if (metadata is not null && (metadata.ExecutableCopy is not null || metadata.ExecutableSha256 is not null))
        {
            // A copy that fails its check is evidence of tampering: gdb gets no executable rather than another one.
            var (copy, status, why) = copies.Verify(metadata);
            return copy is not null
                ? new(metadata.Exe ?? copy, "the collector's copy of the executable, SHA-256 verified", null, (h, name) => h.AddStoreFile(copy, name, status))
                : ExecutableSource.None(why);
        }

        if (IsInsidePod(corePath)) return ExecutableSource.None("its container is gone and the collector kept no copy");

        var named = new List<(string Path, string Source)>();
        if (metadata?.Exe is { } fromMetadata && metadata.ContainerId is null) named.Add((fromMetadata, "the collector's metadata"));
        if (CoreNotes.Read(readableCore)?.Executable is { } fromNotes) named.Add((fromNotes, "the core's file notes"));
        foreach (var (path, source) in named)
        {
            // The kernel marks a binary replaced since the process started.
            var candidate = path.EndsWith(" (deleted)", StringComparison.Ordinal) ? path[..^10] : path;
            if (Path.IsPathRooted(candidate) && LibC.IsRegularFile(candidate)) return new(candidate, source, null, (h, name) => h.AddHostFile(candidate, name));
        }

        return ExecutableSource.None(named.Count == 0 ? "the core names none" : $"the core names {named[0].Path}, which is not on this node");
    }

    /// <summary>
    /// The root of a running process of the container, held open: checked to still be that
    /// container's after it was opened, it stays that root even if the pid is reused meanwhile.
    /// </summary>
    private SafeFileHandle? OpenContainerRoot(string containerId)
    {
        foreach (var pid in processes.AllPids().Where(pid => processes.ContainerIdOf(pid) == containerId))
        {
            var root = LibC.OpenDirectoryPath(Path.Join(options.Value.ProcRoot, pid.ToString(CultureInfo.InvariantCulture), "root"));
            if (root is not null && processes.ContainerIdOf(pid) == containerId) return root;
            root?.Dispose();
        }

        return null;
    }

    private bool IsInsidePod(string corePath) =>
        LibC.RealPath(corePath) is { } real && LibC.RealPath(store.KubernetesRoot) is { } pods && real.StartsWith(pods + "/", StringComparison.Ordinal);

    private void Release(HandOverDirectory? handOver, int uid, IDisposable slot)
    {
        try
        {
            handOver?.Dispose();
        }
        finally
        {
            uids.Return(uid);
            slot.Dispose();
        }
    }
}
