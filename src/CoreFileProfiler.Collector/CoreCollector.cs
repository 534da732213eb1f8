using CoreFileProfiler.Store;
using CoreFileProfiler.Store.Containers;
using CoreFileProfiler.Store.Elf;
using CoreFileProfiler.Store.Interop;
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
    private readonly ContentCopies _copies = new(settings);

    private const int ChunkBytes = 1 << 20;
    private const long FreeSpaceCheckBytes = 64L << 20;

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

        using var root = StoreDirectory.OpenRoot(settings.CoreRoot);
        var (directory, refused) = OpenContainerDirectory(root, container);
        using (directory)
        {
            var (size, note, path) = Write(core, pipe, directory, crash.FileName);
            var (exe, comm, cmdline) = watchdog.Run("process details", () => (
                crash.Exe ?? TryLink(Path.Join(process, "exe")),
                crash.Comm ?? TryRead(Path.Join(process, "comm"))?.Trim(),
                TryRead(Path.Join(process, "cmdline"))?.TrimEnd('\0').Replace('\0', ' ')), (crash.Exe, crash.Comm, null));
            var (buildId, sha256, executableCopy, copyNote) = watchdog.Run("build-id and executable copy", () => KeepExecutable(root, Path.Join(process, "exe")), (null, null, null, null));
            var kept = new KeepingProgress();
            watchdog.Run("mapped objects", () => KeepObjects(root, process, buildId, sha256, kept), false);
            var (objects, objectsSkipped) = kept.Snapshot();
            IReadOnlyList<string> skipped = [.. watchdog.Skipped ?? [], .. objectsSkipped];
            new CoreMetadata(
                crash.Pid, crash.Signal, crash.Time, exe, comm, cmdline,
                containerId, container?.Namespace, container?.Pod, container?.Name,
                "kernel", size, Truncated: note is not null, Notes(note, refused, copyNote), buildId, executableCopy, image,
                skipped.Count > 0 ? skipped : null, sha256, objects).WriteFor(directory, Path.GetFileName(path));
            return path;
        }
    }

    /// <summary>
    /// <c>kubernetes/&lt;ns&gt;/&lt;pod&gt;/&lt;container&gt;</c>, made through the store's walk; the store's root
    /// instead (and why) when the crash ran in no container or a component of that path is a
    /// symlink or no directory: a crash is never filed outside the store.
    /// </summary>
    private static (StoreDirectory Directory, string? Refused) OpenContainerDirectory(StoreDirectory root, RunningContainer? container)
    {
        if (container is null) return (root.CreateDirectories(""), null);
        try
        {
            return (root.CreateDirectories(StoreLayout.DirectoryFor(container)), null);
        }
        catch (SymlinkInStoreException e)
        {
            return (root.CreateDirectories(""), $"filed at the node level: {e.Message}");
        }
    }

    private static string? Notes(params string?[] notes) => notes.Any(n => n is not null) ? string.Join("; ", notes.OfType<string>()) : null;

    /// <summary>
    /// Streams the core into a new dot-file of <paramref name="directory"/> and publishes it under the
    /// first free name of <paramref name="baseName"/> (<see cref="CoreFileName"/>).
    /// </summary>
    private (long Size, string? Note, string Path) Write(Stream core, SafeFileHandle? pipe, StoreDirectory directory, string baseName)
    {
        var extension = settings.Compress ? CompressedCore.Extension : "";
        if (directory.HeadroomAbove(settings.Floor) < 0)
        {
            return (0, $"not written: free space is below {settings.FloorSetting}", Path.Join(directory.Path, CoreFileName.FirstFree(directory, baseName) + extension));
        }

        var (temporary, disk) = directory.CreateTemporary(baseName);
        long written = 0;
        string? note = null;
        using (disk)
        using (var file = settings.Compress ? CompressedCore.Compress(disk) : disk)
        {
            var buffer = new byte[ChunkBytes];
            // Taken once: FileStream's getter moves the descriptor's offset back to its own position.
            var handle = disk.SafeFileHandle;
            var nextCheck = Math.Clamp(directory.HeadroomAbove(settings.Floor) / 4, ChunkBytes, FreeSpaceCheckBytes);
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
                    var headroom = directory.HeadroomAbove(settings.Floor);
                    if (headroom < 0)
                    {
                        note = $"cut: free space reached {settings.FloorSetting}";
                        break;
                    }

                    // Look again well before the room left could be used up, by this core or by the
                    // crashes written beside it: every 64 MiB far from the floor, every MiB near it.
                    nextCheck = written + Math.Clamp(headroom / 4, ChunkBytes, FreeSpaceCheckBytes);
                }
            }
        }

        return (written, note, Path.Join(directory.Path, CoreFileName.Publish(directory, temporary, baseName, extension)));
    }

    /// <summary>
    /// Keeps the crashed executable (readable through /proc while the kernel waits for us) in
    /// <c>.executables/&lt;build-id&gt;-&lt;sha256&gt;</c> of the store, by its content (<see cref="ContentCopies"/>).
    /// </summary>
    private (string? BuildId, string? Sha256, string? Copy, string? Note) KeepExecutable(StoreDirectory root, string executable)
    {
        var buildId = ElfBuildId.Read(executable);
        if (buildId is null || settings.MaxExecutableBytes <= 0) return (buildId, null, null, null);
        try
        {
            using var from = new FileStream(executable, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0);
            var (sha256, copy, note) = _copies.Keep(root, ExecutableCopies.Folder, from, buildId, settings.MaxExecutableBytes);
            return (buildId, copy is null ? null : sha256, copy, note is null ? null : $"executable not kept: {note}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (buildId, null, null, null);
        }
    }

    /// <summary>Every mapped object and its debug file, the executable's copy reused for its own mapping; true when it ran to the end.</summary>
    private bool KeepObjects(StoreDirectory root, string process, string? buildId, string? sha256, KeepingProgress kept)
    {
        (FileStatus, string, string)? executable = null;
        if (buildId is not null && sha256 is not null)
        {
            using var exe = LibC.OpenMappedFile(Path.Join(process, "exe"));
            if (exe is not null && StoreDirectory.StatusOf(exe) is { } status) executable = (status, buildId, sha256);
        }

        new MappedObjectKeeper(settings, _copies).Keep(root, process, executable, kept);
        return true;
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
