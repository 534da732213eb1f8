using System.Runtime.InteropServices;

namespace CoreFileProfiler.Silo.Interop;

/// <summary>
/// The gateway's own libc calls: moving a forwarded download's body between two sockets through a pipe
/// inside the kernel (docs/architecture.md, Request flows). Runtime marshalling of safe handles and
/// arrays, so the project needs no unsafe code.
/// </summary>
internal static class SiloLibC
{
    public const int EINTR = 4;
    public const int EAGAIN = 11;

    /// <summary>SPLICE_F_MOVE | SPLICE_F_NONBLOCK: move pages where the kernel can, never wait on the pipe.</summary>
    public const uint SpliceMoveNonBlocking = 1 | 2;

    /// <summary>SPLICE_F_MORE: more data follows, so the socket need not push a short segment.</summary>
    public const uint SpliceMore = 4;

    private const string Library = "libc";
    private const int O_CLOEXEC = 0x80000;
    private const int O_NONBLOCK = 0x800;
    private const int F_SETPIPE_SZ = 1031;
    private const nuint TIOCOUTQ = 0x5411; // SIOCOUTQ on a TCP socket: bytes sent and not yet acknowledged, or not yet sent

    /// <summary>A pipe whose ends neither block nor survive an exec; the descriptors, or an <see cref="IOException"/>.</summary>
    public static (int Read, int Write) Pipe()
    {
        var fds = new int[2];
        if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) throw Failed("pipe2");
        return (fds[0], fds[1]);
    }

    /// <summary>Asks for a pipe of <paramref name="bytes"/>; the capacity it has afterwards (unchanged when refused).</summary>
    public static int ResizePipe(SafeHandle pipe, int bytes, int current)
    {
        var capacity = fcntl(pipe, F_SETPIPE_SZ, bytes);
        return capacity > 0 ? capacity : current;
    }

    /// <summary>splice(2) between a socket and a pipe: bytes moved, 0 at the input's end, -1 with <paramref name="errno"/>.</summary>
    public static long Splice(SafeHandle from, SafeHandle to, long count, uint flags, out int errno)
    {
        while (true)
        {
            var moved = splice(from, 0, to, 0, (nuint)count, flags);
            errno = moved < 0 ? Marshal.GetLastPInvokeError() : 0;
            if (moved >= 0 || errno != EINTR) return moved;
        }
    }

    /// <summary>read(2) into <paramref name="buffer"/>: bytes read, or -1 with <paramref name="errno"/>.</summary>
    public static int Read(SafeHandle from, Span<byte> buffer, out int errno)
    {
        while (true)
        {
            var count = (int)read(from, ref MemoryMarshal.GetReference(buffer), (nuint)buffer.Length);
            errno = count < 0 ? Marshal.GetLastPInvokeError() : 0;
            if (count >= 0 || errno != EINTR) return count;
        }
    }

    /// <summary>Bytes a TCP socket holds that its peer has not acknowledged yet; null when it cannot say.</summary>
    public static int? UnacknowledgedBytes(SafeHandle socket) => ioctl(socket, TIOCOUTQ, out var queued) == 0 ? queued : null;

    private static IOException Failed(string call) => new($"{call} failed: errno {Marshal.GetLastPInvokeError()}");

#pragma warning disable SA1300, IDE1006, CA5392 // libc's own names; libc comes from the system's loader path
    [DllImport(Library, SetLastError = true)]
    private static extern int pipe2([Out] int[] fds, int flags);

    [DllImport(Library, SetLastError = true)]
    private static extern int fcntl(SafeHandle fd, int command, int argument);

    [DllImport(Library, SetLastError = true)]
    private static extern nint splice(SafeHandle fdIn, nint offIn, SafeHandle fdOut, nint offOut, nuint length, uint flags);

    [DllImport(Library, SetLastError = true)]
    private static extern nint read(SafeHandle fd, ref byte buffer, nuint count);

    [DllImport(Library, SetLastError = true)]
    private static extern int ioctl(SafeHandle fd, nuint request, out int value);
#pragma warning restore SA1300, IDE1006, CA5392
}
