using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace CoreFileProfiler.Store.Interop;

/// <summary>
/// Calls relative to a directory held open, for the core store's walk (<see cref="StoreDirectory"/>):
/// nothing here resolves a symlink. Failures come back as the errno, which the walk turns into its
/// own answers.
/// </summary>
internal static partial class LibC
{
    public const int ENOENT = 2;
    public const int EEXIST = 17;
    public const int ENOTDIR = 20;
    public const int ELOOP = 40;

    private const int O_WRONLY = 0x1;
    private const int O_CREAT = 0x40;
    private const int O_EXCL = 0x80;
    private const int O_DIRECTORY = 0x10000;
    private const int O_NOFOLLOW = 0x20000;
    private const ulong ResolveNoSymlinks = 0x04;
    private const ulong ResolveBeneath = 0x08;
    private const uint RenameNoReplace = 0x1;
    private const int StatxSizeOffset = 40;
    private const int StatxInodeOffset = 32;
    private const int StatxChangedOffset = 96;
    private const int StatxModifiedOffset = 112;
    private const int StatxDeviceOffset = 136; // stx_dev_major, stx_dev_minor
    private const uint StatxWanted = 0x1 | 0x40 | 0x80 | 0x100 | 0x200; // type, mtime, ctime, inode, size

    /// <summary>A directory handle (O_PATH) opened by a trusted path, symlinks and all: the store's root.</summary>
    public static SafeFileHandle? OpenTrustedDirectory(string path)
    {
        if (path.Contains('\0')) return null;
        var fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
        return fd < 0 ? null : new SafeFileHandle(fd, ownsHandle: true);
    }

    /// <summary>The directory <paramref name="path"/> beneath <paramref name="directory"/>, through no symlink; the errno otherwise.</summary>
    public static SafeFileHandle? OpenDirectoryBeneath(SafeFileHandle directory, string path, out int errno)
    {
        errno = ENOENT;
        if (path.Contains('\0')) return null;
        var how = new OpenHow { Flags = O_PATH | O_DIRECTORY | O_CLOEXEC, Resolve = ResolveBeneath | ResolveNoSymlinks | ResolveNoMagicLinks };
        var fd = OpenAt2(directory, path, ref how);
        errno = fd < 0 ? Marshal.GetLastPInvokeError() : 0;
        return fd < 0 ? null : new SafeFileHandle((nint)fd, ownsHandle: true);
    }

    /// <summary>
    /// The regular file <paramref name="path"/> beneath <paramref name="directory"/>, through no
    /// symlink, opened for reading; null for anything else (see <see cref="OpenInRoot"/> for why it is
    /// looked at before it is opened).
    /// </summary>
    public static FileStream? OpenFileBeneath(SafeFileHandle directory, string path) =>
        OpenRegularFile(directory, path, ResolveBeneath | ResolveNoSymlinks | ResolveNoMagicLinks);

    /// <summary>mkdirat; 0 or the errno.</summary>
    public static int MakeDirectoryAt(SafeFileHandle directory, string name, UnixFileMode mode) =>
        WithDescriptor(directory, fd => mkdirat(fd, name, (int)mode) == 0 ? 0 : Marshal.GetLastPInvokeError());

    /// <summary>A new file <paramref name="name"/> in <paramref name="directory"/>, for writing: never an existing one, never through a symlink.</summary>
    public static SafeFileHandle? CreateExclusiveAt(SafeFileHandle directory, string name, UnixFileMode mode, out int errno)
    {
        var (fd, error) = WithDescriptor(directory, d => openat(d, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, (int)mode) is var opened and >= 0
            ? (opened, 0)
            : (-1, Marshal.GetLastPInvokeError()));
        errno = error;
        return fd < 0 ? null : new SafeFileHandle(fd, ownsHandle: true);
    }

    /// <summary>renameat2 within one directory; with <paramref name="noReplace"/> an existing name is kept (EEXIST). 0 or the errno.</summary>
    public static int RenameAt(SafeFileHandle directory, string from, string to, bool noReplace) =>
        WithDescriptor(directory, fd => renameat2(fd, from, fd, to, noReplace ? RenameNoReplace : 0) == 0 ? 0 : Marshal.GetLastPInvokeError());

    /// <summary>unlinkat of a file (a symlink itself, never its target); 0 or the errno.</summary>
    public static int UnlinkAt(SafeFileHandle directory, string name) =>
        WithDescriptor(directory, fd => unlinkat(fd, name, 0) == 0 ? 0 : Marshal.GetLastPInvokeError());

    /// <summary>What <paramref name="name"/> in <paramref name="directory"/> is (a symlink is a symlink; "" is the directory itself); null when it is not there.</summary>
    public static FileStatus? StatAt(SafeFileHandle directory, string name) =>
        WithDescriptor(directory, fd => StatAt(fd, name));

    /// <summary>What the absolute <paramref name="path"/> names itself (its last component is not followed); null when nothing is there.</summary>
    public static FileStatus? StatPath(string path) => path.Contains('\0') ? null : StatAt(AtFdCwd, path);

    private static FileStatus? StatAt(int directory, string name)
    {
        var buffer = new byte[StatxSize];
        var flags = AtSymlinkNoFollow | (name.Length == 0 ? AtEmptyPath : 0);
        if (Statx(directory, name, flags, buffer) != 0) return null;
        return new FileStatus(
            BitConverter.ToUInt16(buffer, StatxModeOffset) & FileTypeMask,
            BitConverter.ToInt64(buffer, StatxSizeOffset),
            StatxTime(buffer, StatxModifiedOffset),
            StatxTime(buffer, StatxChangedOffset),
            BitConverter.ToUInt64(buffer, StatxInodeOffset),
            ((ulong)BitConverter.ToUInt32(buffer, StatxDeviceOffset) << 32) | BitConverter.ToUInt32(buffer, StatxDeviceOffset + 4));
    }

    private static DateTimeOffset StatxTime(byte[] buffer, int offset) =>
        DateTimeOffset.FromUnixTimeSeconds(BitConverter.ToInt64(buffer, offset)).AddTicks(BitConverter.ToUInt32(buffer, offset + 8) / 100);

    /// <summary>Bytes an unprivileged writer may still use on the filesystem of <paramref name="handle"/>, and its size.</summary>
    public static (long Available, long Total) FileSystemSpace(SafeFileHandle handle)
    {
        var statfs = new long[16];
        // struct statfs: f_type, f_bsize, f_blocks, f_bfree, f_bavail, ...
        return WithDescriptor(handle, fd => FileSystemStatus(fd, statfs)) == 0
            ? (statfs[4] * statfs[1], statfs[2] * statfs[1])
            : throw new IOException($"fstatfs failed: errno {Marshal.GetLastPInvokeError()}");
    }

    private static unsafe int Statx(int directory, string name, int flags, byte[] buffer)
    {
        fixed (byte* pointer = buffer) return statx(directory, name, flags, StatxWanted, pointer);
    }

    private static unsafe int FileSystemStatus(int fd, long[] buffer)
    {
        fixed (long* pointer = buffer) return fstatfs(fd, pointer);
    }

    private static T WithDescriptor<T>(SafeFileHandle handle, Func<int, T> call)
    {
        var success = false;
        handle.DangerousAddRef(ref success);
        try
        {
            return call((int)handle.DangerousGetHandle());
        }
        finally
        {
            if (success) handle.DangerousRelease();
        }
    }

#pragma warning disable SA1300, IDE1006 // libc's own names
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int mkdirat(int dirfd, string name, int mode);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int openat(int dirfd, string name, int flags, int mode);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int renameat2(int fromDirectory, string from, int toDirectory, string to, uint flags);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int unlinkat(int dirfd, string name, int flags);
#pragma warning restore SA1300, IDE1006
}
