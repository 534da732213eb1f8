using System.IO.Enumeration;
using System.Security.Cryptography;
using CoreFileProfiler.Store.Interop;
using Microsoft.Win32.SafeHandles;

namespace CoreFileProfiler.Store;

/// <summary>
/// A directory of the core store, held open, and everything beneath it reached from it
/// (docs/architecture.md, Core store): each component by <c>openat2</c> with
/// <c>RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS</c>, directories made by
/// <c>mkdirat</c> (0700), files created <c>O_EXCL | O_NOFOLLOW</c> under a dot-name and published by
/// <c>renameat2</c>, never over another file. Only the root is opened by path (the configured
/// <c>CoreRoot</c> is trusted and may be a symlink itself), so a symlink planted anywhere in the store is
/// never followed, and nothing is ever written, read or deleted outside it.
/// </summary>
public sealed class StoreDirectory : IDisposable
{
    private readonly SafeFileHandle _handle;

    private StoreDirectory(SafeFileHandle handle, string path)
    {
        _handle = handle;
        Path = path;
    }

    /// <summary>Where it is, for people and for programs that take paths (gdb, gcore); the walk itself never uses it.</summary>
    public string Path { get; }

    /// <summary>
    /// This very directory by a path through our descriptor (<c>/proc/&lt;pid&gt;/fd/&lt;n&gt;</c>), for ourselves
    /// and for our children (gcore): it stays this directory whatever becomes of its path.
    /// </summary>
    public string DescriptorPath => $"/proc/{Environment.ProcessId}/fd/{_handle.DangerousGetHandle()}";

    /// <summary>The store's root (or another trusted directory), by its path; created (0700) when missing.</summary>
    /// <exception cref="IOException">It cannot be opened or created.</exception>
    public static StoreDirectory OpenRoot(string path)
    {
        if (LibC.OpenTrustedDirectory(path) is not { } handle)
        {
            Directory.CreateDirectory(path, StoreLayout.DirectoryPermissions);
            handle = LibC.OpenTrustedDirectory(path) ?? throw new IOException($"{path} cannot be opened as a directory.");
        }

        return new StoreDirectory(handle, path);
    }

    /// <summary>
    /// The regular file at <paramref name="absolutePath"/>, an absolute path that must be free of
    /// symlinks from <c>/</c> down (the silo's store paths are resolved once, when a session opens);
    /// null when there is none or any component is a symlink now.
    /// </summary>
    public static FileStream? OpenFileAt(string absolutePath)
    {
        if (!System.IO.Path.IsPathRooted(absolutePath)) return null;
        using var root = LibC.OpenTrustedDirectory("/");
        return root is null ? null : LibC.OpenFileBeneath(root, absolutePath.TrimStart('/'));
    }

    /// <summary><see cref="OpenFileAt"/>, or why not.</summary>
    /// <exception cref="FileNotFoundException">No such regular file, or reached through a symlink.</exception>
    public static FileStream OpenExistingFileAt(string absolutePath) =>
        OpenFileAt(absolutePath) ?? throw new FileNotFoundException($"{absolutePath} is not a regular file reached through no symlink.");

    /// <summary>
    /// The directory at <paramref name="absolutePath"/>, which must be free of symlinks from <c>/</c>
    /// down, walked from <c>/</c>; null when it is not there.
    /// </summary>
    /// <exception cref="SymlinkInStoreException">A component is a symlink or not a directory.</exception>
    public static StoreDirectory? OpenDirectoryAt(string absolutePath)
    {
        if (!System.IO.Path.IsPathRooted(absolutePath)) return null;
        using var root = new StoreDirectory(LibC.OpenTrustedDirectory("/") ?? throw new IOException("/ cannot be opened."), "/");
        return root.OpenDirectory(absolutePath);
    }

    /// <summary>What an open file is now.</summary>
    public static FileStatus? StatusOf(FileStream file) => LibC.StatAt(file.SafeFileHandle, "");

    /// <summary>The existing directory <paramref name="relativePath"/> beneath this one; null when it is not there.</summary>
    /// <exception cref="SymlinkInStoreException">A component is a symlink or not a directory.</exception>
    public StoreDirectory? OpenDirectory(string relativePath) => Walk(relativePath, create: false);

    /// <summary>The directory <paramref name="relativePath"/> beneath this one, each missing component made (0700).</summary>
    /// <exception cref="SymlinkInStoreException">A component is a symlink or not a directory.</exception>
    public StoreDirectory CreateDirectories(string relativePath) => Walk(relativePath, create: true)!;

    /// <summary>The regular file <paramref name="relativePath"/> beneath this one, for reading; null for anything else.</summary>
    public FileStream? OpenFile(string relativePath) => LibC.OpenFileBeneath(_handle, relativePath);

    /// <summary>
    /// A new, empty, owner-only file under a random dot-name (so listings skip it) starting with
    /// <paramref name="prefix"/>; publish it with <see cref="Publish"/> or <see cref="Replace"/>.
    /// </summary>
    public (string Name, FileStream File) CreateTemporary(string prefix)
    {
        for (var attempt = 0; ; attempt++)
        {
            var name = $".{prefix}.{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}.tmp";
            var handle = LibC.CreateExclusiveAt(_handle, name, StoreLayout.FilePermissions, out var errno);
            if (handle is not null) return (name, new FileStream(handle, FileAccess.Write, bufferSize: 0));
            if (errno != LibC.EEXIST || attempt == 3) throw Failure("create", name, errno);
        }
    }

    /// <summary>Gives <paramref name="temporary"/> its name; false (and nothing changed) when the name is taken.</summary>
    public bool Publish(string temporary, string name)
    {
        var errno = LibC.RenameAt(_handle, temporary, name, noReplace: true);
        return errno == 0 || (errno == LibC.EEXIST ? false : throw Failure("rename", name, errno));
    }

    /// <summary>Gives <paramref name="temporary"/> its name, replacing whatever had it (a symlink is replaced, not followed).</summary>
    public void Replace(string temporary, string name)
    {
        var errno = LibC.RenameAt(_handle, temporary, name, noReplace: false);
        if (errno != 0) throw Failure("rename", name, errno);
    }

    /// <summary>Whether anything (a file, a directory, a symlink) has <paramref name="name"/> here.</summary>
    public bool Has(string name) => LibC.StatAt(_handle, name) is not null;

    /// <summary>What <paramref name="name"/> itself is (a symlink is a symlink); null when nothing has that name.</summary>
    public FileStatus? Stat(string name) => LibC.StatAt(_handle, name);

    /// <summary>Whether <paramref name="name"/> here is a regular file (not a symlink to one).</summary>
    public bool HasFile(string name) => LibC.StatAt(_handle, name) is { IsRegularFile: true };

    /// <summary>Removes <paramref name="name"/> (a symlink itself, never its target); false when it was not there.</summary>
    public bool Delete(string name)
    {
        var errno = LibC.UnlinkAt(_handle, name);
        return errno == 0 || (errno == LibC.ENOENT ? false : throw Failure("unlink", name, errno));
    }

    /// <summary>How far the free space of this directory's filesystem is above <paramref name="floor"/>; negative below it.</summary>
    public long HeadroomAbove(FreeSpaceFloor floor)
    {
        var (available, total) = LibC.FileSystemSpace(_handle);
        return floor.Headroom(available, total);
    }

    /// <summary>
    /// The regular files beneath this directory, to <paramref name="maxDepth"/> levels, each
    /// subdirectory entered through the walk: symlinks are neither listed nor entered, and a
    /// directory swapped for a symlink while it is read is skipped. Paths are relative, '/'-separated.
    /// Dot-directories are entered only with <paramref name="enterDotDirectories"/> (a hand-over's
    /// <c>.build-id</c>; the store's own dot-folders are not cores).
    /// </summary>
    public IEnumerable<(string RelativePath, long Size, DateTimeOffset Modified)> ListFiles(int maxDepth, Func<string, bool> isListedName, bool enterDotDirectories = false)
    {
        var options = new EnumerationOptions { RecurseSubdirectories = false, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.ReparsePoint };
        var entries = new FileSystemEnumerable<(string Name, bool IsDirectory)>(
            DescriptorPath, (ref entry) => (entry.FileName.ToString(), entry.IsDirectory), options);
        foreach (var (name, isDirectory) in entries.ToList())
        {
            if (isDirectory)
            {
                if (maxDepth <= 0 || (name.StartsWith('.') && !enterDotDirectories)) continue;
                StoreDirectory? child;
                try
                {
                    child = OpenDirectory(name);
                }
                catch (SymlinkInStoreException)
                {
                    continue;
                }

                using (child)
                {
                    if (child is null) continue;
                    foreach (var (path, size, modified) in child.ListFiles(maxDepth - 1, isListedName, enterDotDirectories)) yield return ($"{name}/{path}", size, modified);
                }
            }
            else if (isListedName(name) && LibC.StatAt(_handle, name) is { IsRegularFile: true } file)
            {
                yield return (name, file.Size, file.Modified);
            }
        }
    }

    public void Dispose() => _handle.Dispose();

    private StoreDirectory? Walk(string relativePath, bool create)
    {
        var handle = _handle;
        var walked = "";
        try
        {
            foreach (var component in relativePath.Split('/', StringSplitOptions.RemoveEmptyEntries))
            {
                walked = walked.Length == 0 ? component : $"{walked}/{component}";
                if (component is "." or "..") throw new SymlinkInStoreException(walked, "leads out of its directory");
                var next = LibC.OpenDirectoryBeneath(handle, component, out var errno);
                if (next is null && errno == LibC.ENOENT && create)
                {
                    var made = LibC.MakeDirectoryAt(handle, component, StoreLayout.DirectoryPermissions);
                    if (made != 0 && made != LibC.EEXIST) throw Failure("mkdir", walked, made);
                    next = LibC.OpenDirectoryBeneath(handle, component, out errno);
                }

                if (next is null)
                {
                    if (errno == LibC.ENOENT && !create) return null;
                    throw errno switch
                    {
                        LibC.ELOOP => new SymlinkInStoreException(walked, "is a symlink"),
                        LibC.ENOTDIR => new SymlinkInStoreException(walked, "is not a directory"),
                        _ => Failure("open", walked, errno),
                    };
                }

                if (handle != _handle) handle.Dispose();
                handle = next;
            }

            return new StoreDirectory(handle == _handle ? LibC.OpenDirectoryBeneath(_handle, ".", out _)! : handle, System.IO.Path.Join(Path, relativePath));
        }
        catch
        {
            if (handle != _handle) handle.Dispose();
            throw;
        }
    }

    private IOException Failure(string call, string name, int errno) =>
        new($"{call} {System.IO.Path.Join(Path, name)}: {System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(errno)}", errno);
}
