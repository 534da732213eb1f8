using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using static CoreFileProfiler.Store.Interop.LibC;

namespace CoreFileProfiler.Node.Interop;

/// <summary>Extended attributes of a path itself (never a symlink's target), for POSIX ACLs, and hard links.</summary>
internal static partial class NodeLibC
{
    public const int ENODATA = 61;
    public const int EOPNOTSUPP = 95;

    /// <summary>The attribute's value; null when the path has none.</summary>
    public static unsafe byte[]? GetAttribute(string path, string name)
    {
        var buffer = new byte[4096];
        fixed (byte* data = buffer)
        {
            var length = lgetxattr(path, name, data, (nuint)buffer.Length);
            if (length >= 0) return buffer[..(int)length];
        }

        var error = Marshal.GetLastPInvokeError();
        return error == ENODATA ? null : throw new IOException($"getxattr {name} of {path}: {Marshal.GetPInvokeErrorMessage(error)}", error);
    }

    public static unsafe void SetAttribute(string path, string name, ReadOnlySpan<byte> value)
    {
        fixed (byte* data = value)
        {
            if (lsetxattr(path, name, data, (nuint)value.Length, 0) == 0) return;
        }

        var error = Marshal.GetLastPInvokeError();
        throw new IOException($"setxattr {name} of {path}: {Marshal.GetPInvokeErrorMessage(error)}", error);
    }

    /// <summary>
    /// A second name for the file <paramref name="open"/> holds (not for whatever its path names
    /// now); false when the filesystems differ.
    /// </summary>
    public static bool TryHardLink(SafeFileHandle open, string name)
    {
        var success = false;
        open.DangerousAddRef(ref success);
        try
        {
            if (linkat(AtFdCwd, $"/proc/self/fd/{open.DangerousGetHandle()}", AtFdCwd, name, AtSymlinkFollow) == 0) return true;
        }
        finally
        {
            if (success) open.DangerousRelease();
        }

        var error = Marshal.GetLastPInvokeError();
        return error == EXDEV || error == EPERM ? false : throw new IOException($"link {name}: {Marshal.GetPInvokeErrorMessage(error)}", error);
    }

    private const int AtSymlinkFollow = 0x400;
    private const int EXDEV = 18;
    private const int EPERM = 1;

#pragma warning disable SA1300, IDE1006 // libc's own names
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int linkat(int existingDirectory, string existing, int directory, string name, int flags);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static unsafe partial nint lgetxattr(string path, string name, byte* value, nuint size);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static unsafe partial int lsetxattr(string path, string name, byte* value, nuint size, int flags);
#pragma warning restore SA1300, IDE1006
}
