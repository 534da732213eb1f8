using System.Runtime.InteropServices;
using CoreFileProfiler.Store.Interop;
using Microsoft.Win32.SafeHandles;

namespace CoreFileProfiler.Collector;

/// <summary>
/// splice(2) from the kernel's pipe straight into the core file: the pages move inside the
/// kernel, never through our memory, so the collector writes a core faster than a read/write
/// loop (cat's way) can.
/// </summary>
internal static partial class PipeSplice
{
    private const uint MoveAndMore = 1 | 4; // SPLICE_F_MOVE | SPLICE_F_MORE
    private const int NotAPipe = 22;        // EINVAL: stdin is a file or a terminal

    /// <summary>Moves up to <paramref name="count"/> bytes; 0 at the end of the core, null when <paramref name="pipe"/> is not a pipe.</summary>
    public static long? Move(SafeFileHandle pipe, SafeFileHandle file, long count)
    {
        while (true)
        {
            var moved = Splice(pipe, 0, file, 0, (nuint)count, MoveAndMore);
            if (moved >= 0) return moved;
            var error = Marshal.GetLastPInvokeError();
            if (error == NotAPipe) return null;
            if (error != LibC.EINTR) throw new IOException($"splice failed: errno {error}"); // EINTR: try again
        }
    }

    [LibraryImport("libc", EntryPoint = "splice", SetLastError = true)]
    private static partial nint Splice(SafeFileHandle fdIn, nint offIn, SafeFileHandle fdOut, nint offOut, nuint length, uint flags);
}
