using CoreFileProfiler.Node.Interop;

namespace CoreFileProfiler.Node.Terminals;

/// <summary>
/// A program running under a new pseudo-terminal as the leader of its own session: write its
/// input, read its output, resize it, signal or kill its process group, reap it. The program is
/// started through <c>setpriv --pdeathsig KILL</c>, so it dies with this process however this
/// process ends, with whatever else setpriv is asked to do (another uid, no new privileges): in
/// one setpriv, because a change of uid clears the parent-death signal.
/// </summary>
public sealed class PseudoTerminal : IDisposable
{
    private readonly int _master;
    private readonly Lock _reaping = new();
    private bool _reaped; // after this the pid may belong to someone else: never signal it again
    private int _closed;

    private PseudoTerminal(int master, int pid, int cols, int rows)
    {
        _master = master;
        Pid = pid;
        (Cols, Rows) = (cols, rows);
    }

    public int Pid { get; }

    /// <summary>The descriptor a program finds <c>directoryOnFd3</c> on: <c>/proc/self/fd/3/…</c> reaches it without walking its parents.</summary>
    public const string HandedOverDirectory = "/proc/self/fd/3";

    /// <summary>The size it was started with or last resized to.</summary>
    public int Cols { get; private set; }

    public int Rows { get; private set; }

    /// <summary>
    /// Starts <paramref name="argv"/> with exactly <paramref name="environment"/> plus the owner mark,
    /// setpriv's <paramref name="privileges"/> options, and <paramref name="directoryOnFd3"/> open
    /// (as root, before setpriv) on descriptor 3.
    /// </summary>
    public static PseudoTerminal Start(
        IReadOnlyList<string> argv, IReadOnlyDictionary<string, string> environment, int cols, int rows,
        IReadOnlyList<string>? privileges = null, string? directoryOnFd3 = null)
    {
        var (master, slavePath) = NodeLibC.OpenPseudoTerminal();
        try
        {
            NodeLibC.SetWindowSize(master, cols, rows);
            string[] command = ["setpriv", .. privileges ?? [], "--pdeathsig", "KILL", "--", .. argv];
            var variables = environment
                .Append(new(ChildProcessOwner.Variable, ChildProcessOwner.Mark))
                .Select(v => $"{v.Key}={v.Value}")
                .ToList();
            var pid = SpawnThread.Run(() => NodeLibC.Spawn(command, variables, slavePath, directoryOnFd3));
            return new PseudoTerminal(master, pid, cols, rows);
        }
        catch
        {
            NodeLibC.Close(master);
            throw;
        }
    }

    /// <summary>Blocks until output is available or <paramref name="timeout"/> passes; then reads it. 0 means the terminal hung up.</summary>
    public int Read(Span<byte> buffer, TimeSpan timeout, out bool timedOut)
    {
        timedOut = !NodeLibC.WaitReadable(_master, (int)timeout.TotalMilliseconds);
        return timedOut ? -1 : NodeLibC.Read(_master, buffer);
    }

    public void Write(ReadOnlySpan<byte> input) => NodeLibC.WriteAll(_master, input);

    /// <summary>
    /// Everything the program prints until it hangs up (exits), for a program run to its end (batch gdb):
    /// at most <paramref name="maxBytes"/> and for at most <paramref name="limit"/>. <c>Finished</c> is false
    /// when either ran out first; the program still runs then, and the caller kills it.
    /// </summary>
    public (byte[] Output, bool Finished) ReadUntilHangUp(TimeSpan limit, int maxBytes, CancellationToken cancellationToken = default)
    {
        var output = new MemoryStream();
        var buffer = new byte[16384];
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (clock.Elapsed < limit && output.Length < maxBytes && !cancellationToken.IsCancellationRequested)
        {
            var wait = TimeSpan.FromMilliseconds(Math.Clamp((limit - clock.Elapsed).TotalMilliseconds, 1, 200));
            var read = Read(buffer, wait, out var timedOut);
            if (timedOut) continue;
            if (read <= 0) return (output.ToArray(), true);
            output.Write(buffer, 0, (int)Math.Min(read, maxBytes - output.Length));
        }

        return (output.ToArray(), false);
    }

    public void Resize(int cols, int rows)
    {
        NodeLibC.SetWindowSize(_master, cols, rows);
        (Cols, Rows) = (cols, rows);
    }

    /// <summary>Signals the whole process group (the program and whatever it started in it).</summary>
    public bool Signal(int signal)
    {
        lock (_reaping) return !_reaped && NodeLibC.Signal(-Pid, signal);
    }

    /// <summary>Kills the process group and reaps the leader.</summary>
    public void Kill()
    {
        lock (_reaping)
        {
            if (_reaped) return;
            NodeLibC.Signal(-Pid, NodeLibC.SIGKILL);
            NodeLibC.Reap(Pid, 0);
            _reaped = true;
        }
    }

    /// <summary>Reaps the program if it has exited; true once it has.</summary>
    public bool TryReap()
    {
        lock (_reaping) return _reaped = _reaped || NodeLibC.Reap(Pid, NodeLibC.WNOHANG) != 0;
    }

    /// <summary>Kills what still runs and closes the terminal. Call it once nobody reads any more.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0) return;
        Kill();
        NodeLibC.Close(_master);
    }
}
