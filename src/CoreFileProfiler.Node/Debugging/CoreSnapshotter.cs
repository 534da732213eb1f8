using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using CoreFileProfiler.Node.Containers;
using CoreFileProfiler.Node.Cores;
using CoreFileProfiler.Node.Processes;
using CoreFileProfiler.Node.Terminals;
using Microsoft.Extensions.Logging;

namespace CoreFileProfiler.Node.Debugging;

/// <summary>
/// Takes a core of a live process with gcore, which stops it only while the core is written,
/// and files it in the core store like a crash: <c>&lt;pod&gt;/&lt;container&gt;/&lt;pid&gt;_&lt;time&gt;</c>, mode
/// 0600, under a dot-name until complete, with its metadata beside it.
/// </summary>
public sealed class CoreSnapshotter(CoreStore store, ProcessTable processes, TimeProvider time, ILogger<CoreSnapshotter> logger)
{
    private static readonly TimeSpan MaxDuration = TimeSpan.FromMinutes(10);

    /// <summary>The new core's path and size.</summary>
    /// <exception cref="InvalidOperationException">gcore failed (the process went away, ptrace refused).</exception>
    public async Task<(string Path, long Size)> TakeAsync(int pid, RunningContainer? container, CancellationToken cancellationToken = default)
    {
        var process = processes.Read(pid) ?? throw new InvalidOperationException($"pid {pid} has exited.");
        var now = time.GetUtcNow();
        var name = $"{pid}_{now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}";
        using var root = StoreDirectory.OpenRoot(store.Root);
        using var directory = root.CreateDirectories(container is null ? "" : Path.Join("kubernetes", container.Namespace, container.Pod, container.Name));
        // gcore names its file PREFIX.PID; it reaches the directory through our descriptor, so no
        // path it resolves can have been swapped for a symlink, and the random name cannot be planted.
        var temporary = $".{name}.gcore.{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}";
        var written = $"{temporary}.{pid}";

        try
        {
            var (exitCode, output) = await RunGcoreAsync(Path.Join(directory.DescriptorPath, temporary), pid, cancellationToken);
            using (var file = exitCode == 0 ? directory.OpenFile(written) : null)
            {
                if (file is null) throw new InvalidOperationException($"gcore of pid {pid} failed ({exitCode}): {output.Trim()}");
                File.SetUnixFileMode(file.SafeFileHandle, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            var core = name;
            for (var n = 1; directory.Has(core) || directory.Has(CoreMetadata.NameFor(core)) || !directory.Publish(written, core); n++) core = $"{name}-{n}";
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
