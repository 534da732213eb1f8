using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace CoreFileProfiler.Store.Interop;

/// <summary>Opening a file of another container as that container sees it (openat2, Linux 5.6+).</summary>
internal static partial class LibC
{
    private const int O_RDONLY = 0;
    private const int O_NONBLOCK = 0x800;
    private const ulong ResolveNoMagicLinks = 0x02;
    private const ulong ResolveInRoot = 0x10;
    private const long SysOpenat2 = 437; // the same number on every architecture
    private const long ProcSuperMagic = 0x9fa0;
    private const long SysfsMagic = 0x62656572;

    [StructLayout(LayoutKind.Sequential)]
    private struct OpenHow
    {
        public ulong Flags;
        public ulong Mode;
        public ulong Resolve;
    }

    /// <summary>A handle on a directory (a running process's <c>/proc/&lt;pid&gt;/root</c>) that stays that directory whatever becomes of the pid; null when it cannot be opened.</summary>
    public static SafeFileHandle? OpenDirectoryPath(string path)
    {
        if (path.Contains('\0')) return null;
        var fd = open(path, O_PATH | O_CLOEXEC);
        return fd < 0 ? null : new SafeFileHandle(fd, ownsHandle: true);
    }

    /// <summary>
    /// The regular file <paramref name="path"/> resolved with <paramref name="root"/> as its root:
    /// absolute symlinks and <c>..</c> stay inside it, magic links (<c>/proc/*/root</c>, <c>fd/*</c>)
    /// are refused, and so are /proc and /sys files; nothing but a regular file is ever opened for
    /// reading (a device's open could act). Null when there is no such file. This is how a
    /// container's own files are read as root without its symlinks reaching the node's.
    /// </summary>
    public static FileStream? OpenInRoot(SafeFileHandle root, string path) => OpenRegularFile(root, path, ResolveInRoot | ResolveNoMagicLinks);

    /// <summary>
    /// The regular file a kernel link names (<c>/proc/&lt;pid&gt;/map_files/&lt;range&gt;</c>: the very file a
    /// process mapped, whatever its path says now), opened for reading; null for anything else (a
    /// device's open could act), as in <see cref="OpenInRoot"/>.
    /// </summary>
    public static FileStream? OpenMappedFile(string link)
    {
        if (link.Contains('\0')) return null;
        var located = open(link, O_PATH | O_CLOEXEC);
        return located < 0 ? null : ReopenIfRegular(located);
    }

    private static FileStream? OpenRegularFile(SafeFileHandle root, string path, ulong resolve)
    {
        if (path.Contains('\0')) return null;
        var how = new OpenHow { Flags = O_PATH | O_CLOEXEC, Resolve = resolve };
        var located = OpenAt2(root, path, ref how);
        return located < 0 ? null : ReopenIfRegular(located);
    }

    /// <summary>The O_PATH descriptor <paramref name="located"/> (closed here) reopened for reading when it is a regular file outside /proc and /sys.</summary>
    private static unsafe FileStream? ReopenIfRegular(long located)
    {
        using var pathHandle = new SafeFileHandle((nint)located, ownsHandle: true);
        var buffer = stackalloc byte[StatxSize];
        var statfs = stackalloc long[16];
        if (statx((int)located, "", AtEmptyPath, StatxType, buffer) != 0 || (*(ushort*)(buffer + StatxModeOffset) & FileTypeMask) != RegularFile
            || fstatfs((int)located, statfs) != 0 || statfs[0] is ProcSuperMagic or SysfsMagic)
        {
            return null;
        }

        // Reopened through our own descriptor: the same file, now that it is known to be a plain one.
        var fd = open($"/proc/self/fd/{located}", O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        return fd < 0 ? null : new FileStream(new SafeFileHandle(fd, ownsHandle: true), FileAccess.Read, 1 << 16);
    }

    private static unsafe long OpenAt2(SafeFileHandle root, string path, ref OpenHow how)
    {
        var success = false;
        root.DangerousAddRef(ref success);
        try
        {
            var bytes = System.Text.Encoding.UTF8.GetBytes(path + "\0");
            fixed (byte* name = bytes)
            fixed (OpenHow* pointer = &how)
            {
                return syscall(SysOpenat2, root.DangerousGetHandle(), (nint)name, (nint)pointer, sizeof(OpenHow));
            }
        }
        finally
        {
            if (success) root.DangerousRelease();
        }
    }

    private const int AtEmptyPath = 0x1000;

#pragma warning disable SA1300, IDE1006 // libc's own names
    [LibraryImport(Library, SetLastError = true)]
    private static partial long syscall(long number, nint dirfd, nint path, nint how, nint size);

    [LibraryImport(Library, SetLastError = true)]
    private static unsafe partial int fstatfs(int fd, long* buffer);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int open(string path, int flags);
#pragma warning restore SA1300, IDE1006
}
