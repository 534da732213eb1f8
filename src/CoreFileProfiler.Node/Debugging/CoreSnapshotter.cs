using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using CoreFileProfiler.Node.Cores;
using CoreFileProfiler.Node.Interop;
using CoreFileProfiler.Node.Processes;
using CoreFileProfiler.Node.Terminals;
using CoreFileProfiler.Store;
using CoreFileProfiler.Store.Containers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CoreFileProfiler.Node.Debugging;

/// <summary>
/// Takes a core of a live process with gcore, which stops it only while the core is written,
/// and files it in the core store like a crash: <c>&lt;pod&gt;/&lt;container&gt;/&lt;pid&gt;_&lt;time&gt;</c>, mode
/// 0600, under a dot-name until complete, with its metadata beside it. gcore holds one of the node's
/// <see cref="GdbProcessSlots"/> while it runs, and never takes the store's filesystem below
/// <c>Profiler:MinFreeSpace</c>: refused below it, and stopped (the partial core removed) when it reaches it.
/// Its caller runs it off the session grain's turn and cancels it when the session ends.
/// </summary>
public sealed class CoreSnapshotter(CoreStore store, ProcessTable processes, GdbProcessSlots slots, IOptions<ProfilerOptions> options, TimeProvider time, ILogger<CoreSnapshotter> logger)
{
    private static readonly TimeSpan MaxDuration = TimeSpan.FromMinutes(10);

    // gcore writes tens to hundreds of MB a second; a look this often overshoots the floor by little.
    private static readonly TimeSpan FreeSpacePoll = TimeSpan.FromMilliseconds(100);

    /// <summary>The new core's path and size.</summary>
    /// <exception cref="InvalidOperationException">gcore failed (the process went away, ptrace refused).</exception>
    /// <exception cref="LimitReachedException">The node runs <c>Profiler:MaxGdbProcesses</c> already.</exception>
    /// <exception cref="InsufficientSpaceException">The store's filesystem is, or got, below the free-space floor.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired: gcore was killed, the process continued and the partial core removed.</exception>
    public async Task<(string Path, long Size)> TakeAsync(int pid, RunningContainer? container, CancellationToken cancellationToken = default)
    {
        using var slot = slots.Take();
        var process = processes.Read(pid) ?? throw new InvalidOperationException($"pid {pid} has exited.");
        var now = time.GetUtcNow();
        var name = CoreFileName.For(pid, now);
        using var root = StoreDirectory.OpenRoot(store.Root);
        using var directory = root.CreateDirectories(StoreLayout.DirectoryFor(container));
        var floor = FreeSpaceFloor.Parse(options.Value.MinFreeSpace);
        if (floor.HeadroomIn(directory.DescriptorPath) <= 0)
        {
            throw new InsufficientSpaceException($"No snapshot of pid {pid}: the store's filesystem is below Profiler:MinFreeSpace ({floor}).");
        }

        // gcore names its file PREFIX.PID; it reaches the directory through our descriptor, so no
        // path it resolves can have been swapped for a symlink, and the random name cannot be planted.
        var temporary = $".{name}.gcore.{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}";
        var written = $"{temporary}.{pid}";

        try
        {
            var atFloor = () => floor.HeadroomIn(directory.DescriptorPath) < 0;
            var (exitCode, output) = await RunGcoreAsync(Path.Join(directory.DescriptorPath, temporary), pid, atFloor, cancellationToken);
            // A fast gcore can cross the floor between two looks.
            if (exitCode is null || atFloor())
            {
                logger.LogWarning("Snapshot of {Pid} stopped at the free-space floor {Floor}", pid, floor.ToString());
                throw new InsufficientSpaceException($"The snapshot of pid {pid} was stopped and its partial core removed: the store's filesystem reached Profiler:MinFreeSpace ({floor}).");
            }

            using (var file = exitCode == 0 ? directory.OpenFile(written) : null)
            {
                if (file is null) throw new InvalidOperationException($"gcore of pid {pid} failed ({exitCode}): {output.Trim()}");
                File.SetUnixFileMode(file.SafeFileHandle, StoreLayout.FilePermissions);
            }

            var core = CoreFileName.Publish(directory, written, name);
            var size = directory.Stat(core)?.Size ?? 0;
            new CoreMetadata(
                pid, null, now, process.Executable, process.Comm, process.Command,
                process.ContainerId, container?.Namespace, container?.Pod, container?.Name, "gcore", size, Truncated: false).WriteFor(directory, core);
            var path = Path.Join(directory.Path, core);
            logger.LogInformation("Snapshot of {Pid} written to {CoreFile} ({Size} bytes)", pid, path, size);
            return (path, size);
        }
        finally
        {
            directory.Delete(written); // gone already when it succeeded
        }
    }

    /// <summary>Runs gcore; a null exit code when <paramref name="atFloor"/> said yes while it wrote, and it was killed.</summary>
    private static async Task<(int? ExitCode, string Output)> RunGcoreAsync(string prefix, int pid, Func<bool> atFloor, CancellationToken cancellationToken)
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
            var exited = gcore.WaitForExitAsync(limit.Token);
            while (await Task.WhenAny(exited, Task.Delay(FreeSpacePoll, limit.Token)) != exited)
            {
                if (!atFloor()) continue;
                await StopAsync(gcore, pid);
                return (null, "");
            }

            await exited;
        }
        catch (OperationCanceledException)
        {
            await StopAsync(gcore, pid);
            cancellationToken.ThrowIfCancellationRequested(); // the caller gave up (its session ended)
            throw new InvalidOperationException($"gcore of pid {pid} took longer than {MaxDuration.TotalMinutes} minutes and was stopped.");
        }

        return (gcore.ExitCode, await stdout + await stderr);
    }

    /// <summary>Kills gcore and waits for it (so its caller may remove the partial core), then continues the process however gdb left it.</summary>
    private static async Task StopAsync(Process gcore, int pid)
    {
        gcore.Kill(entireProcessTree: true);
        await gcore.WaitForExitAsync(CancellationToken.None);
        // Only gcore's script is waited for; its gdb may still hold the process, and a SIGCONT sent
        // while traced is lost, leaving it stopped once the kernel detaches it.
        for (var waited = 0; waited < 100 && IsTraced(pid); waited++) await Task.Delay(10, CancellationToken.None);
        NodeLibC.Signal(pid, NodeLibC.SIGCONT);
    }

    private static bool IsTraced(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("TracerPid:", StringComparison.Ordinal));
            return line is not null && line["TracerPid:".Length..].Trim() != "0";
        }
        catch (IOException)
        {
            return false; // it exited
        }
    }
}
