using System.Runtime.InteropServices;
using static CoreFileProfiler.Store.Interop.LibC;

namespace CoreFileProfiler.Node.Interop;

/// <summary>Pseudo-terminals, spawning and signalling (Linux, glibc); the store's calls are CoreFileProfiler.Store's <c>LibC</c>.</summary>
internal static partial class NodeLibC
{
    public const int SIGINT = 2;
    public const int SIGKILL = 9;
    public const int SIGCONT = 18;
    public const int SIGTERM = 15;
    public const int EAGAIN = 11;
    public const int EIO = 5;
    public const int ECHILD = 10;
    public const int ESRCH = 3;
    public const int WNOHANG = 1;

    private const int O_RDWR = 0x2;
    private const nuint TIOCSWINSZ = 0x5414;
    private const short POSIX_SPAWN_SETSIGDEF = 0x04;
    private const short POSIX_SPAWN_SETSIGMASK = 0x08;
    private const short POSIX_SPAWN_SETSID = 0x80;

    // glibc's posix_spawnattr_t is 336 bytes, posix_spawn_file_actions_t 80 and sigset_t 128 on
    // 64-bit Linux; the buffers are larger so a future layout cannot overrun them.
    private const int OpaqueSize = 1024;

    [StructLayout(LayoutKind.Sequential)]
    private struct WinSize
    {
        public ushort Rows;
        public ushort Cols;
        public ushort XPixels;
        public ushort YPixels;
    }

    /// <summary>A new pseudo-terminal master (close-on-exec) and the path of its slave.</summary>
    public static unsafe (int Master, string SlavePath) OpenPseudoTerminal()
    {
        var master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (master < 0) throw Error("posix_openpt");
        var name = stackalloc byte[256];
        if (grantpt(master) != 0 || unlockpt(master) != 0 || ptsname_r(master, name, 256) != 0)
        {
            var error = Error("grantpt/unlockpt/ptsname_r");
            close(master);
            throw error;
        }

        return (master, Marshal.PtrToStringUTF8((nint)name)!);
    }

    public static void SetWindowSize(int fd, int cols, int rows)
    {
        var size = new WinSize { Cols = (ushort)cols, Rows = (ushort)rows };
        if (ioctl(fd, TIOCSWINSZ, ref size) != 0) throw Error("ioctl(TIOCSWINSZ)");
    }

    /// <summary>
    /// Starts <paramref name="argv"/>[0] (searched in PATH) as the leader of a new session whose
    /// controlling terminal is <paramref name="terminalPath"/> on stdin, stdout and stderr, with
    /// default signal dispositions and an empty signal mask, and <paramref name="directoryOnFd3"/>
    /// (if any) open as descriptor 3. posix_spawn, never fork: the runtime's threads and locks make
    /// fork in a .NET process unsafe.
    /// </summary>
    public static unsafe int Spawn(IReadOnlyList<string> argv, IReadOnlyList<string> environment, string terminalPath, string? directoryOnFd3 = null)
    {
        var attributes = NativeMemory.AllocZeroed(OpaqueSize);
        var actions = NativeMemory.AllocZeroed(OpaqueSize);
        var signals = NativeMemory.AllocZeroed(OpaqueSize);
        var strings = new List<nint>();
        try
        {
            Check(posix_spawnattr_init(attributes), "posix_spawnattr_init");
            Check(posix_spawn_file_actions_init(actions), "posix_spawn_file_actions_init");
            Check(sigfillset(signals), "sigfillset");
            Check(posix_spawnattr_setsigdefault(attributes, signals), "posix_spawnattr_setsigdefault");
            Check(sigemptyset(signals), "sigemptyset");
            Check(posix_spawnattr_setsigmask(attributes, signals), "posix_spawnattr_setsigmask");
            Check(posix_spawnattr_setflags(attributes, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK), "posix_spawnattr_setflags");
            // setsid runs before the file actions, so opening the slave makes it the controlling terminal.
            Check(posix_spawn_file_actions_addopen(actions, 0, terminalPath, O_RDWR, 0), "posix_spawn_file_actions_addopen");
            Check(posix_spawn_file_actions_adddup2(actions, 0, 1), "posix_spawn_file_actions_adddup2");
            Check(posix_spawn_file_actions_adddup2(actions, 0, 2), "posix_spawn_file_actions_adddup2");
            if (directoryOnFd3 is not null) Check(posix_spawn_file_actions_addopen(actions, 3, directoryOnFd3, O_PATH, 0), "posix_spawn_file_actions_addopen");
            // Nothing else the silo holds (or inherited from whoever started it) reaches the program.
            Check(posix_spawn_file_actions_addclosefrom_np(actions, directoryOnFd3 is null ? 3 : 4), "posix_spawn_file_actions_addclosefrom_np");

            var argvPointers = NullTerminated(argv, strings);
            var envPointers = NullTerminated(environment, strings);
            int pid;
            fixed (nint* args = argvPointers)
            fixed (nint* env = envPointers)
            {
                Check(posix_spawnp(out pid, argv[0], actions, attributes, args, env), $"posix_spawnp({argv[0]})");
            }

            return pid;
        }
        finally
        {
            _ = posix_spawn_file_actions_destroy(actions);
            _ = posix_spawnattr_destroy(attributes);
            NativeMemory.Free(attributes);
            NativeMemory.Free(actions);
            NativeMemory.Free(signals);
            foreach (var pointer in strings) Marshal.FreeCoTaskMem(pointer);
        }
    }

    /// <summary>Sends a signal; false when the process (group) no longer exists.</summary>
    public static bool Signal(int pid, int signal) => kill(pid, signal) == 0;

    /// <summary>Reaps a child; returns its pid when it has exited, 0 when it still runs (with WNOHANG).</summary>
    public static int Reap(int pid, int options)
    {
        while (true)
        {
            var result = waitpid(pid, out _, options);
            if (result >= 0) return result;
            var errno = Marshal.GetLastPInvokeError();
            if (errno == ECHILD) return pid; // already reaped
            if (errno != EINTR) throw new IOException($"waitpid({pid}) failed: errno {errno}");
        }
    }

    /// <summary>Blocking read; 0 at end (the slave side is gone: EIO on Linux).</summary>
    public static unsafe int Read(int fd, Span<byte> buffer)
    {
        fixed (byte* pointer = buffer)
        {
            while (true)
            {
                var count = read(fd, pointer, (nuint)buffer.Length);
                if (count >= 0) return (int)count;
                var errno = Marshal.GetLastPInvokeError();
                if (errno == EIO) return 0;
                if (errno != EINTR) throw new IOException($"read failed: errno {errno}");
            }
        }
    }

    /// <summary>Writes everything (blocking while the terminal's input queue is full).</summary>
    public static unsafe void WriteAll(int fd, ReadOnlySpan<byte> data)
    {
        fixed (byte* pointer = data)
        {
            var done = 0;
            while (done < data.Length)
            {
                var written = write(fd, pointer + done, (nuint)(data.Length - done));
                if (written >= 0)
                {
                    done += (int)written;
                    continue;
                }

                var errno = Marshal.GetLastPInvokeError();
                if (errno == EIO) return; // the other side is gone
                if (errno != EINTR) throw new IOException($"write failed: errno {errno}");
            }
        }
    }

    public static void Close(int fd) => _ = close(fd);

    /// <summary>Waits until <paramref name="fd"/> is readable (or hung up); false on timeout.</summary>
    public static bool WaitReadable(int fd, int timeoutMilliseconds)
    {
        var ready = PollReadable(fd, timeoutMilliseconds, out var errno);
        if (ready < 0 && errno != EINTR) throw new IOException($"poll failed: errno {errno}");
        return ready > 0;
    }

    private static nint[] NullTerminated(IReadOnlyList<string> values, List<nint> owned)
    {
        var pointers = new nint[values.Count + 1];
        for (var i = 0; i < values.Count; i++)
        {
            pointers[i] = Marshal.StringToCoTaskMemUTF8(values[i]);
            owned.Add(pointers[i]);
        }

        return pointers;
    }

    private static void Check(int result, string call)
    {
        // posix_spawn* return the error number rather than setting errno.
        if (result != 0) throw new IOException($"{call} failed: errno {result}");
    }

    private static IOException Error(string call) => new($"{call} failed: errno {Marshal.GetLastPInvokeError()}");

    [LibraryImport(Library, SetLastError = true)]
    private static partial int posix_openpt(int flags);

    [LibraryImport(Library, SetLastError = true)]
    private static partial int grantpt(int fd);

    [LibraryImport(Library, SetLastError = true)]
    private static partial int unlockpt(int fd);

    [LibraryImport(Library, SetLastError = true)]
    private static unsafe partial int ptsname_r(int fd, byte* buffer, nuint length);

    [LibraryImport(Library, SetLastError = true)]
    private static partial int ioctl(int fd, nuint request, ref WinSize size);

    [LibraryImport(Library, SetLastError = true)]
    private static unsafe partial nint read(int fd, byte* buffer, nuint count);

    [LibraryImport(Library, SetLastError = true)]
    private static unsafe partial nint write(int fd, byte* buffer, nuint count);

    [LibraryImport(Library, SetLastError = true)]
    private static partial int close(int fd);

    [LibraryImport(Library, SetLastError = true)]
    private static partial int kill(int pid, int signal);

    [LibraryImport(Library, SetLastError = true)]
    private static partial int waitpid(int pid, out int status, int options);

    [LibraryImport(Library)]
    private static unsafe partial int sigfillset(void* set);

    [LibraryImport(Library)]
    private static unsafe partial int sigemptyset(void* set);

    [LibraryImport(Library)]
    private static unsafe partial int posix_spawnattr_init(void* attributes);

    [LibraryImport(Library)]
    private static unsafe partial int posix_spawnattr_destroy(void* attributes);

    [LibraryImport(Library)]
    private static unsafe partial int posix_spawnattr_setflags(void* attributes, short flags);

    [LibraryImport(Library)]
    private static unsafe partial int posix_spawnattr_setsigdefault(void* attributes, void* set);

    [LibraryImport(Library)]
    private static unsafe partial int posix_spawnattr_setsigmask(void* attributes, void* set);

    [LibraryImport(Library)]
    private static unsafe partial int posix_spawn_file_actions_init(void* actions);

    [LibraryImport(Library)]
    private static unsafe partial int posix_spawn_file_actions_destroy(void* actions);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int posix_spawn_file_actions_addopen(void* actions, int fd, string path, int flags, int mode);

    [LibraryImport(Library)]
    private static unsafe partial int posix_spawn_file_actions_adddup2(void* actions, int fd, int newFd);

    [LibraryImport(Library)]
    private static unsafe partial int posix_spawn_file_actions_addclosefrom_np(void* actions, int from);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int posix_spawnp(out int pid, string file, void* actions, void* attributes, nint* argv, nint* envp);
}
