using System.Runtime.InteropServices;

namespace CoreFileProfiler.Store.Interop;

/// <summary>Waiting for one descriptor's input: the collector's watchdog on the core's pipe, Node's terminals on their masters.</summary>
internal static partial class LibC
{
    public const int EINTR = 4;

    private const short POLLIN = 0x1;

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    /// <summary>poll(2) on <paramref name="fd"/>: above 0 when it is readable (or hung up), 0 on timeout, -1 with <paramref name="errno"/> set.</summary>
    public static unsafe int PollReadable(int fd, int timeoutMilliseconds, out int errno)
    {
        var request = new PollFd { Fd = fd, Events = POLLIN };
        var ready = poll(&request, 1, timeoutMilliseconds);
        errno = ready < 0 ? Marshal.GetLastPInvokeError() : 0;
        return ready;
    }

#pragma warning disable SA1300, IDE1006 // libc's own names
    [LibraryImport(Library, SetLastError = true)]
    private static unsafe partial int poll(PollFd* fds, nuint count, int timeout);
#pragma warning restore SA1300, IDE1006
}
