using System.Security.Cryptography;
using CoreFileProfiler.Node.Cores;
using CoreFileProfiler.Node.Interop;
using CoreFileProfiler.Store;
using CoreFileProfiler.Store.Interop;
using Microsoft.Win32.SafeHandles;

namespace CoreFileProfiler.Node.Sandbox;

/// <summary>
/// What one sandboxed gdb may read, in a directory of its own in the core store
/// (<c>.sandbox/&lt;random&gt;</c>): hard links to the core and its executable (copies when they are on
/// another filesystem), a decompressed copy of a zstd core, a sysroot of libraries copied out of a
/// running container. The directory and each file in it are granted to the terminal's uid by an
/// ACL entry; gdb gets the directory as an open descriptor, so it needs no way through the
/// store's parents. <see cref="Dispose"/> takes every grant back and removes the directory. No
/// core is ever copied just to be read.
/// </summary>
public sealed class HandOverDirectory : IDisposable
{
    /// <summary>The sysroot's name in the directory.</summary>
    public const string Sysroot = "sysroot";

    /// <summary>The debug files' directory in the directory, laid out as gdb's <c>debug-file-directory</c> (<c>.build-id/xx/rest.debug</c>).</summary>
    public const string DebugFiles = "debuginfo";

    // A sysroot is what the process had mapped, typically tens of MB; these bound a hostile core's list.
    private const int MaxSysrootFiles = 1024;
    private const long MaxSysrootBytes = 2L << 30;

    // As the collector's own limit on kept executables: a tenant's huge "executable" fills no disk.
    private const long MaxExecutableBytes = 512L << 20;
    // As often as the collector looks while it writes a core.
    private const long FreeSpaceCheckBytes = 64L << 20;

    // A sysroot copies a container's absolute paths: deep enough for /usr/lib/<triplet>/<dir>/<lib>, and some.
    private const int MaxHandOverDepth = 16;

    private readonly string _coreRoot;
    private int _disposed;

    private HandOverDirectory(string path, int uid, string coreRoot)
    {
        Path = path;
        Uid = uid;
        _coreRoot = coreRoot;
    }

    public string Path { get; }

    public int Uid { get; }

    /// <exception cref="SymlinkInStoreException"><c>.sandbox</c> is a symlink.</exception>
    public static HandOverDirectory Create(string coreRoot, int uid)
    {
        using var root = StoreDirectory.OpenRoot(coreRoot);
        using var sandbox = root.CreateDirectories(StoreLayout.HandOverFolder);
        using var created = sandbox.CreateDirectories(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)));
        var handOver = new HandOverDirectory(created.Path, uid, coreRoot);
        try
        {
            PosixAcl.Grant(created.Path, uid);
            return handOver;
        }
        catch
        {
            handOver.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A file of the core store (the core, the collector's copy of an executable) at an absolute,
    /// symlink-free path, under <paramref name="name"/>: opened through the store's walk, hard-linked
    /// by its descriptor when it can be (no copy of a core), and granted; returns the new path. Anything
    /// outside the store, or reached through a symlink, is refused: an ACL on it would change a file
    /// that is not ours. With <paramref name="expected"/>, the file must still be the one checked.
    /// </summary>
    public string AddStoreFile(string source, string name, FileStatus? expected = null)
    {
        using var file = source.StartsWith(LibC.RealPath(_coreRoot) + "/", StringComparison.Ordinal) ? StoreDirectory.OpenFileAt(source) : null;
        if (file is null) throw new IOException($"{source} is not a file of the core store.");
        var status = StoreDirectory.StatusOf(file);
        if (expected is { } checkedOne && status?.IsUnchangedSince(checkedOne) != true) throw new IOException($"{source} changed after it was checked.");

        var target = System.IO.Path.Join(Path, name);
        if (!NodeLibC.TryHardLink(file.SafeFileHandle, target))
        {
            CopyOwnerOnly(file, target, status?.Modified.UtcDateTime, long.MaxValue);
        }

        PosixAcl.Grant(target, Uid);
        return target;
    }

    /// <summary>A copy of a file of this machine (the sandbox's script; a node-level core's executable, for admins' sessions); null when it is too large.</summary>
    public string? AddHostFile(string source, string name)
    {
        var target = System.IO.Path.Join(Path, name);
        using (var from = new FileStream(source, FileMode.Open, FileAccess.Read))
        {
            if (!CopyOwnerOnly(from, target, File.GetLastWriteTimeUtc(source), MaxExecutableBytes)) return null;
        }

        PosixAcl.Grant(target, Uid);
        return target;
    }

    /// <summary>
    /// A copy of <paramref name="path"/> as the container whose root is <paramref name="root"/> sees
    /// it (its symlinks resolve inside it); null when it has no such regular file.
    /// </summary>
    public string? AddContainerFile(SafeFileHandle root, string path, string name)
    {
        using var from = LibC.OpenInRoot(root, path);
        if (from is null || from.Length > MaxExecutableBytes) return null;
        var target = System.IO.Path.Join(Path, name);
        if (!CopyOwnerOnly(from, target, File.GetLastWriteTimeUtc(from.SafeFileHandle), MaxExecutableBytes)) return null;
        PosixAcl.Grant(target, Uid);
        return target;
    }

    /// <summary>
    /// A zstd core, decompressed into the directory (gdb reads cores at random), refused when the
    /// store's filesystem lacks <paramref name="expectedBytes"/> above <paramref name="floor"/> and
    /// stopped (the partial copy removed) when it reaches the floor while writing or when
    /// <paramref name="cancellationToken"/> fires.
    /// </summary>
    /// <exception cref="InsufficientSpaceException">Refused or stopped at the floor.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    public string AddDecompressed(string compressed, string name, FreeSpaceFloor floor, long expectedBytes, CancellationToken cancellationToken = default)
    {
        var headroom = floor.HeadroomIn(Path);
        if (headroom < Math.Max(expectedBytes, 1))
        {
            throw new InsufficientSpaceException(
                $"{name} was not decompressed for gdb: it takes {expectedBytes} bytes, and the store's filesystem has {Math.Max(headroom, 0)} bytes free above Profiler:MinFreeSpace ({floor}).");
        }

        var target = System.IO.Path.Join(Path, name);
        try
        {
            using var source = CompressedCore.OpenDecompressed(compressed);
            using var copy = new FileStream(target, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = StoreLayout.FilePermissions });
            var buffer = new byte[1 << 20];
            long sinceCheck = 0;
            void StopAtTheFloor()
            {
                if (floor.HeadroomIn(Path) >= 0) return;
                throw new InsufficientSpaceException(
                    $"Decompressing {name} for gdb stopped at {copy.Length} bytes: the store's filesystem reached Profiler:MinFreeSpace ({floor}).");
            }

            for (var read = source.Read(buffer); read > 0; read = source.Read(buffer))
            {
                cancellationToken.ThrowIfCancellationRequested();
                copy.Write(buffer, 0, read);
                if ((sinceCheck += read) < FreeSpaceCheckBytes) continue;
                sinceCheck = 0;
                StopAtTheFloor();
            }

            copy.Flush();
            StopAtTheFloor(); // the last stretch, shorter than a check's
        }
        catch
        {
            File.Delete(target);
            throw;
        }

        PosixAcl.Grant(target, Uid);
        return target;
    }

    /// <summary>
    /// Copies <paramref name="files"/> (absolute paths inside <paramref name="root"/>, a running
    /// container's root, resolved as the container sees them) into a sysroot in the directory, so
    /// gdb resolves the process's libraries without reading the container; returns the sysroot.
    /// </summary>
    public string AddSysroot(SafeFileHandle root, IEnumerable<string> files)
    {
        var sysroot = CreateSysroot();
        var budget = MaxSysrootBytes;
        foreach (var file in files.Where(f => System.IO.Path.IsPathRooted(f) && !f.Split('/').Contains("..")).Take(MaxSysrootFiles))
        {
            using var from = LibC.OpenInRoot(root, file);
            if (from is null) continue;
            var target = sysroot + file;
            CreateGrantedDirectories(sysroot, System.IO.Path.GetDirectoryName(target)!);
            if (!CopyOwnerOnly(from, target, null, budget)) break;
            budget -= new FileInfo(target).Length;
            PosixAcl.Grant(target, Uid);
        }

        return sysroot;
    }

    /// <summary>
    /// A verified copy of the build-id store (docs/architecture.md, Build-id store) at the path its
    /// process saw it (<paramref name="processPath"/>) in the sysroot: hard-linked as
    /// <see cref="AddStoreFile"/> does, and still the file checked. Returns the new path; null when
    /// the path is none a sysroot may hold (<see cref="SysrootPathFor"/>) or another object has it.
    /// </summary>
    public string? AddToSysroot(string source, string processPath, FileStatus expected)
    {
        if (SysrootPathFor(processPath) is not { } relative) return null;
        var sysroot = CreateSysroot();
        var target = System.IO.Path.Join(sysroot, relative);
        CreateGrantedDirectories(sysroot, System.IO.Path.GetDirectoryName(target)!);
        return File.Exists(target) ? null : AddStoreFile(source, System.IO.Path.GetRelativePath(Path, target), expected);
    }

    /// <summary>A verified debug file of the build-id store where gdb's <c>debug-file-directory</c> looks for <paramref name="buildId"/>: <c>debuginfo/.build-id/xx/rest.debug</c>.</summary>
    public string? AddDebugFile(string source, string buildId, FileStatus expected)
    {
        if (!ExecutableCopies.IsBuildId(buildId) || buildId.Length < 3) return null;
        var folder = System.IO.Path.Join(Path, DebugFiles);
        var target = System.IO.Path.Join(folder, ".build-id", buildId[..2], buildId[2..] + ".debug");
        CreateGrantedDirectories(Path, System.IO.Path.GetDirectoryName(target)!);
        return File.Exists(target) ? null : AddStoreFile(source, System.IO.Path.GetRelativePath(Path, target), expected);
    }

    /// <summary>
    /// Where a file the process had at <paramref name="processPath"/> goes in the sysroot, relative to
    /// it; null for a path that could lead anywhere else or that gdb could not be told (it comes from
    /// the tenant's metadata): not absolute, a <c>.</c> or <c>..</c> or empty component, a control
    /// character, deeper than a hand-over is walked. The kernel's <c>" (deleted)"</c> mark is dropped.
    /// </summary>
    public static string? SysrootPathFor(string processPath)
    {
        var path = processPath.EndsWith(" (deleted)", StringComparison.Ordinal) ? processPath[..^10] : processPath;
        if (!path.StartsWith('/') || path.Length > 4096 || path.Any(char.IsControl)) return null;
        var components = path[1..].Split('/');
        if (components.Length > MaxHandOverDepth - 2 || components.Any(c => c is "" or "." or "..")) return null;
        return string.Join('/', components);
    }

    /// <summary>Takes back every grant (hard links share their inode with the store's file) and removes the directory; symlinks in it are neither followed nor entered.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        if (Directory.Exists(Path))
        {
            foreach (var file in FilesBeneath(_coreRoot, System.IO.Path.GetRelativePath(_coreRoot, Path))) PosixAcl.Revoke(file, Uid);
            Directory.Delete(Path, recursive: true); // unlinks symlinks, never their targets
        }
    }

    /// <summary>At start-up: what a killed silo left (its directories, and its grants on the store's files); a symlink in <c>.sandbox</c>'s place is removed, not followed.</summary>
    public static void RemoveLeftovers(string coreRoot, SandboxOptions sandbox)
    {
        var folder = System.IO.Path.Join(coreRoot, StoreLayout.HandOverFolder);
        foreach (var file in FilesBeneath(coreRoot, StoreLayout.HandOverFolder)) PosixAcl.RevokeRange(file, sandbox.FirstUid, sandbox.UidCount);
        if (new FileInfo(folder).LinkTarget is not null) File.Delete(folder);
        else if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
    }

    /// <summary>The regular files beneath <paramref name="relativePath"/> of the store, walked as the store is: never through a symlink.</summary>
    private static List<string> FilesBeneath(string coreRoot, string relativePath)
    {
        try
        {
            using var root = StoreDirectory.OpenRoot(coreRoot);
            using var open = root.OpenDirectory(relativePath);
            return open is null ? [] : [.. open.ListFiles(MaxHandOverDepth, _ => true, enterDotDirectories: true).Select(f => System.IO.Path.Join(open.Path, f.RelativePath))];
        }
        catch (SymlinkInStoreException)
        {
            return [];
        }
    }

    private string CreateSysroot()
    {
        var sysroot = System.IO.Path.Join(Path, Sysroot);
        CreateGrantedDirectories(Path, sysroot);
        return sysroot;
    }

    private void CreateGrantedDirectories(string sysroot, string directory)
    {
        if (directory.Length <= sysroot.Length || Directory.Exists(directory)) return;
        CreateGrantedDirectories(sysroot, System.IO.Path.GetDirectoryName(directory)!);
        Directory.CreateDirectory(directory, StoreLayout.DirectoryPermissions);
        PosixAcl.Grant(directory, Uid);
    }

    /// <summary>
    /// A private copy (with the original's time, so gdb does not take an executable for newer than
    /// its core) of at most <paramref name="maxBytes"/>: a file that is, or grows, larger is not
    /// kept, and the answer is false.
    /// </summary>
    private static bool CopyOwnerOnly(Stream from, string target, DateTime? modified, long maxBytes)
    {
        var buffer = new byte[1 << 20];
        var tooLarge = false;
        using (var to = new FileStream(target, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = StoreLayout.FilePermissions }))
        {
            long copied = 0;
            for (var read = from.Read(buffer); read > 0 && !tooLarge; read = from.Read(buffer))
            {
                tooLarge = (copied += read) > maxBytes;
                if (!tooLarge) to.Write(buffer, 0, read);
            }
        }

        if (tooLarge)
        {
            File.Delete(target);
            return false;
        }

        if (modified is { } time) File.SetLastWriteTimeUtc(target, time);
        return true;
    }
}
