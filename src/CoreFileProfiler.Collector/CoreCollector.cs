using CoreFileProfiler.Node.Containers;
using CoreFileProfiler.Node.Cores;
using CoreFileProfiler.Node.Debugging;
using Microsoft.Win32.SafeHandles;

namespace CoreFileProfiler.Collector;

/// <summary>
/// Files one crash's core from the kernel's pipe: under its pod and container when it ran in
/// one (<c>kubernetes/&lt;ns&gt;/&lt;pod&gt;/&lt;container&gt;/&lt;pid&gt;_&lt;time&gt;</c>), else at the root;
/// streamed, mode 0600, under a dot-name until complete, within the size and free-space limits,
/// with its metadata beside it.
/// </summary>
/// <param name="watchdog">Bounds the time of streaming and of every lookup (<see cref="CollectorWatchdog"/>).</param>
public sealed class CoreCollector(CollectorSettings settings, CollectorWatchdog watchdog)
{
    private const int ChunkBytes = 1 << 20;
    private const long FreeSpaceCheckBytes = 64L << 20;
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Writes the core and its metadata; returns the core's path (which may not exist when the disk was full).</summary>
    /// <param name="pipe">The core's pipe, when it is one: moved to disk with splice(2).</param>
    public string Collect(Crash crash, Stream core, SafeFileHandle? pipe = null)
    {
        var process = Path.Join(settings.ProcRoot, crash.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var containerId = watchdog.Run("container id", () => CgroupContainerId.Parse(TryRead(Path.Join(process, "cgroup")) ?? ""), null);
        var (container, image) = containerId is null ? (null, null) : watchdog.Run("container names", () =>
        {
            var (fromDocker, image) = DockerLabels.Find(settings.DockerEndpoint, containerId);
            return (ContainerLogDirectory.Read(settings.LogRoot).FirstOrDefault(c => c.Id == containerId) ?? fromDocker, image);
        }, ((RunningContainer?)null, (string?)null));

        var directory = container is null
            ? settings.CoreRoot
            : Path.Join(settings.CoreRoot, "kubernetes", container.Namespace, container.Pod, container.Name);
        Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var extension = settings.Compress ? CompressedCore.Extension : "";
        var name = crash.FileName;
        for (var n = 1; File.Exists(Path.Join(directory, name)) || File.Exists(Path.Join(directory, name + CompressedCore.Extension)); n++) name = $"{crash.FileName}-{n}";
        var path = Path.Join(directory, name + extension);

        var (size, note) = Write(core, pipe, path, directory);
        var (exe, comm, cmdline) = watchdog.Run("process details", () => (
            crash.Exe ?? TryLink(Path.Join(process, "exe")),
            crash.Comm ?? TryRead(Path.Join(process, "comm"))?.Trim(),
            TryRead(Path.Join(process, "cmdline"))?.TrimEnd('\0').Replace('\0', ' ')), (crash.Exe, crash.Comm, null));
        var (buildId, executableCopy) = watchdog.Run("build-id and executable copy", () => KeepExecutable(Path.Join(process, "exe")), (null, null));
        new CoreMetadata(
            crash.Pid, crash.Signal, crash.Time, exe, comm, cmdline,
            containerId, container?.Namespace, container?.Pod, container?.Name,
            "kernel", size, Truncated: note is not null, note, buildId, executableCopy, image, watchdog.Skipped).WriteFor(path);
        return path;
    }

    private (long Size, string? Note) Write(Stream core, SafeFileHandle? pipe, string path, string directory)
    {
        if (settings.Floor.HeadroomIn(directory) < 0)
        {
            return (0, $"not written: free space is below {settings.FloorSetting}");
        }

        var temporary = Path.Join(directory, $".{Path.GetFileName(path)}.tmp");
        long written = 0;
        string? note = null;
        using (var disk = new FileStream(temporary, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = OwnerOnly, BufferSize = 0 }))
        using (var file = settings.Compress ? CompressedCore.Compress(disk) : disk)
        {
            var buffer = new byte[ChunkBytes];
            // Taken once: FileStream's getter moves the descriptor's offset back to its own position.
            var handle = disk.SafeFileHandle;
            var nextCheck = FreeSpaceCheckBytes;
            while (true)
            {
                if (!watchdog.WaitForCore())
                {
                    note = watchdog.StreamCut;
                    break;
                }

                var room = settings.MaxCoreBytes - written;
                var moved = pipe is not null && room > 0 && file == disk ? PipeSplice.Move(pipe, handle, Math.Min(ChunkBytes, room)) : null;
                if (moved is null) pipe = null; // not a pipe (or compressing, or at the limit): read and write
                var read = moved ?? core.Read(buffer, 0, (int)Math.Min(buffer.Length, Math.Max(room, 1)));
                if (read == 0) break;
                if (room <= 0)
                {
                    note = $"cut at MaxCoreBytes ({settings.MaxCoreBytes} bytes)";
                    break;
                }

                if (moved is null) file.Write(buffer, 0, (int)read);
                written += read;
                if (written >= nextCheck)
                {
                    nextCheck += FreeSpaceCheckBytes;
                    if (settings.Floor.HeadroomIn(directory) < 0)
                    {
                        note = $"cut: free space reached {settings.FloorSetting}";
                        break;
                    }
                }
            }
        }

        File.Move(temporary, path);
        return (written, note);
    }

    /// <summary>
    /// Copies the crashed executable (readable through /proc while the kernel waits for us) to
    /// <c>.executables/&lt;build-id&gt;</c> of the store, once per build-id, so a crash loop costs one copy.
    /// </summary>
    private (string? BuildId, string? Copy) KeepExecutable(string executable)
    {
        var buildId = ElfBuildId.Read(executable);
        if (buildId is null || settings.MaxExecutableBytes <= 0) return (buildId, null);
        try
        {
            var directory = Path.Join(settings.CoreRoot, ".executables");
            var copy = Path.Join(directory, buildId);
            if (File.Exists(copy)) return (buildId, copy);
            if (new FileInfo(executable).Length > settings.MaxExecutableBytes || settings.Floor.HeadroomIn(settings.CoreRoot) < 0) return (buildId, null);
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            var temporary = Path.Join(directory, $".{buildId}.{Environment.ProcessId}.tmp");
            File.Copy(executable, temporary, overwrite: true);
            File.SetUnixFileMode(temporary, OwnerOnly);
            File.Move(temporary, copy, overwrite: true);
            return (buildId, copy);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (buildId, null);
        }
    }

    private static string? TryRead(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string? TryLink(string path)
    {
        try
        {
            return new FileInfo(path).LinkTarget;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
