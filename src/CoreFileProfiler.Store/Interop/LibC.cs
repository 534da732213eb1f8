using System.Runtime.InteropServices;

namespace CoreFileProfiler.Store.Interop;

/// <summary>
/// The libc calls of the core store, each behind a small safe method. Node's own calls
/// (<c>NodeLibC</c>: terminals, processes, ACLs) share the constants below rather than repeat them.
/// </summary>
internal static partial class LibC
{
    public const string Library = "libc";
    public const int AtFdCwd = -100;
    public const int O_NOCTTY = 0x100;
    public const int O_CLOEXEC = 0x80000;
    public const int O_PATH = 0x200000;

    /// <summary>The canonical, symlink-free absolute path, or null when any part of it does not exist.</summary>
    public static string? RealPath(string path)
    {
        if (path.Contains('\0')) return null;
        var resolved = realpath(path, 0);
        if (resolved == 0) return null;
        try
        {
            return Marshal.PtrToStringUTF8(resolved);
        }
        finally
        {
            free(resolved);
        }
    }

    /// <summary>True when the path itself (not a symlink's target) is a regular file.</summary>
    public static unsafe bool IsRegularFile(string path)
    {
        if (path.Contains('\0')) return false;
        // statx, unlike struct stat, has one layout on every architecture.
        var buffer = stackalloc byte[StatxSize];
        if (statx(AtFdCwd, path, AtSymlinkNoFollow, StatxType, buffer) != 0) return false;
        var mode = *(ushort*)(buffer + StatxModeOffset);
        return (mode & FileTypeMask) == RegularFile;
    }

    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxType = 0x1;
    private const int StatxSize = 256;
    private const int StatxModeOffset = 28;
    private const int FileTypeMask = 0xF000;
    private const int RegularFile = 0x8000;

#pragma warning disable SA1300, IDE1006 // libc's own names
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static unsafe partial int statx(int dirfd, string path, int flags, uint mask, byte* buffer);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial nint realpath(string path, nint resolved);

    [LibraryImport(Library)]
    private static partial void free(nint pointer);
#pragma warning restore SA1300, IDE1006
}
