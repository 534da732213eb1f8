using System.Diagnostics;
using System.Globalization;
using CoreFileProfiler.Node.Containers;
using CoreFileProfiler.Node.Cores;
using CoreFileProfiler.Node.Processes;
using CoreFileProfiler.Node.Terminals;
using Microsoft.Extensions.Logging;

namespace CoreFileProfiler.Node.Debugging;

/// <summary>
/// Takes a core of a live process with gcore, which stops it only while the core is written,
/// and files it in the core store like a crash: <c>&lt;pod&gt;/&lt;container&gt;/&lt;pid&gt;_&lt;time&gt;</c>, mode
/// 0600, under a dot-name until complete, with its metadata beside it. gcore holds one of the node's
/// <see cref="GdbProcessSlots"/> while it runs.
/// </summary>
public sealed class CoreSnapshotter(CoreStore store, ProcessTable processes, GdbProcessSlots slots, TimeProvider time, ILogger<CoreSnapshotter> logger)
{
    private static readonly TimeSpan MaxDuration = TimeSpan.FromMinutes(10);

    /// <summary>The new core's path and size.</summary>
    /// <exception cref="InvalidOperationException">gcore failed (the process went away, ptrace refused).</exception>
    /// <exception cref="LimitReachedException">The node runs <c>Profiler:MaxGdbProcesses</c> already.</exception>
    public async Task<(string Path, long Size)> TakeAsync(int pid, RunningContainer? container, CancellationToken cancellationToken = default)
    {
        using var slot = slots.Take();
        var process = processes.Read(pid) ?? throw new InvalidOperationException($"pid {pid} has exited.");
        var now = time.GetUtcNow();
        var name = $"{pid}_{now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}";
        var directory = container is null ? store.Root : Path.Join(store.KubernetesRoot, container.Namespace, container.Pod, container.Name);
        Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var prefix = Path.Join(directory, $".{name}.gcore");
        var written = $"{prefix}.{pid}"; // gcore -o PREFIX names its file PREFIX.PID

        try
        {
            var (exitCode, output) = await RunGcoreAsync(prefix, pid, cancellationToken);
            if (exitCode != 0 || !File.Exists(written)) throw new InvalidOperationException($"gcore of pid {pid} failed ({exitCode}): {output.Trim()}");

            File.SetUnixFileMode(written, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            var core = Path.Join(directory, name);
            for (var n = 1; File.Exists(core); n++) core = Path.Join(directory, $"{name}-{n}");
            File.Move(written, core);
            var size = new FileInfo(core).Length;
            new CoreMetadata(
                pid, null, now, process.Executable, process.Comm, process.Command,
                process.ContainerId, container?.Namespace, container?.Pod, container?.Name, "gcore", size, Truncated: false).WriteFor(core);
            logger.LogInformation("Snapshot of {Pid} written to {CoreFile} ({Size} bytes)", pid, core, size);
            return (core, size);
        }
        finally
        {
            File.Delete(written); // gone already when it succeeded
        }
    }

    private static async Task<(int ExitCode, string Output)> RunGcoreAsync(string prefix, int pid, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("setpriv")
        {
            ArgumentList = { "--pdeathsig", "KILL", "--", "gcore", "-o", prefix, pid.ToString(CultureInfo.InvariantCulture) },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { [ChildProcessOwner.Variable] = ChildProcessOwner.Mark, ["DEBUGINFOD_URLS"] = "" },
        };
        using var gcore = SpawnThread.Run(() => Process.Start(start)!);
        var stdout = gcore.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = gcore.StandardError.ReadToEndAsync(cancellationToken);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(MaxDuration);
        try
        {
            await gcore.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            gcore.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"gcore of pid {pid} took longer than {MaxDuration.TotalMinutes} minutes and was stopped.");
        }

        return (gcore.ExitCode, await stdout + await stderr);
    }
}
