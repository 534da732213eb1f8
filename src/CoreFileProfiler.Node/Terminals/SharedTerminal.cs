using System.Text;

namespace CoreFileProfiler.Node.Terminals;

/// <summary>
/// A program under a pseudo-terminal shared by any number of viewers: its output goes to a
/// scrollback and to every viewer in the same order; input from any viewer goes to the program.
/// A dedicated thread reads the terminal, so neither the program nor other viewers wait on a
/// slow one. What it admits is bounded by its <see cref="TerminalLimits"/>: viewers, each viewer's
/// backlog, and input waiting for the program. Ends when the program exits or <see cref="Close"/> is called; either way the
/// program's process group is killed and reaped and every viewer is told why. Everything it
/// writes, every input and every resize also goes to its <see cref="Recording"/>, which outlives
/// the program until its owner disposes of it.
/// </summary>
public sealed class SharedTerminal
{
    public const int ScrollbackBytes = 1 << 20;

    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);

    private readonly PseudoTerminal _terminal;
    private readonly Lock _gate = new();
    private readonly Scrollback _scrollback = new(ScrollbackBytes);
    private readonly List<TerminalViewer> _viewers = [];
    private readonly InputQueue _input;
    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _writer;
    private readonly byte[]? _farewell;
    private volatile string? _closeReason;
    private volatile bool _killing;
    private readonly string _exitReason;
    private string? _endReason;

    /// <param name="terminal">The running program.</param>
    /// <param name="programName">What viewers are told exited when it does ("gdb").</param>
    /// <param name="farewell">Typed at <see cref="Close"/> before the kill, so the program can let go cleanly (gdb detaching).</param>
    /// <param name="time">The recording's clock; the system's unless given.</param>
    /// <param name="limits">What it admits; <see cref="TerminalLimits.Default"/> unless given.</param>
    public SharedTerminal(PseudoTerminal terminal, string programName, string? farewell = null, TimeProvider? time = null, TerminalLimits? limits = null)
    {
        _terminal = terminal;
        Limits = limits ?? TerminalLimits.Default;
        _input = new InputQueue(Limits.MaxInputBytes);
        Recording = new TerminalRecording(terminal.Cols, terminal.Rows, time ?? TimeProvider.System);
        _farewell = farewell is null ? null : Encoding.UTF8.GetBytes(farewell);
        _exitReason = $"{programName} exited.";
        _writer = Task.Run(WriteInputAsync);
        new Thread(ReadOutput) { IsBackground = true, Name = $"terminal-{terminal.Pid}" }.Start();
    }

    public int Pid => _terminal.Pid;

    public Task Ended => _ended.Task;

    public TerminalRecording Recording { get; }

    public TerminalLimits Limits { get; }

    public int ViewerCount
    {
        get
        {
            lock (_gate) return _viewers.Count;
        }
    }

    /// <summary>A new viewer: the scrollback first, then live output. After the end, just the scrollback.</summary>
    /// <exception cref="LimitReachedException">The terminal already has <see cref="TerminalLimits.MaxViewers"/> viewers.</exception>
    public TerminalViewer Attach()
    {
        var viewer = new TerminalViewer(this, Limits.MaxViewerBacklogBytes);
        lock (_gate)
        {
            if (_endReason is null && _viewers.Count >= Limits.MaxViewers) throw new LimitReachedException(TerminalLimits.TooManyViewers(Limits.MaxViewers));
            viewer.TryEnqueue(_scrollback.ToArray());
            if (_endReason is null) _viewers.Add(viewer);
            else viewer.End(_endReason);
        }

        return viewer;
    }

    internal void Detach(TerminalViewer viewer)
    {
        lock (_gate) _viewers.Remove(viewer);
    }

    /// <summary>
    /// Types into the terminal (keys, pasted text, Ctrl-C as \u0003). While its input queue is full this
    /// waits, which holds back whoever types; input that finds no room within the limits' wait is refused.
    /// </summary>
    /// <exception cref="LimitReachedException">The program has not read earlier input for that long.</exception>
    public async Task SendAsync(byte[] input, CancellationToken cancellationToken = default)
    {
        if (!await _input.WriteAsync(input, Limits.InputWait, cancellationToken))
        {
            throw new LimitReachedException(
                $"Input arrives faster than the terminal reads it: {Limits.MaxInputBytes >> 10} KiB waited for more than {Limits.InputWait.TotalSeconds:0} s (Profiler:MaxTerminalInputBytes).");
        }

        if (!Ended.IsCompleted) Recording.Input(input);
    }

    public const int MaxSize = 1000;

    /// <summary>Sizes a terminal may be given: 1 to <see cref="MaxSize"/> columns and rows.</summary>
    public static bool IsValidSize(int cols, int rows) => cols is >= 1 and <= MaxSize && rows is >= 1 and <= MaxSize;

    public void Resize(int cols, int rows)
    {
        if (Ended.IsCompleted) return;
        var changed = (cols, rows) != (_terminal.Cols, _terminal.Rows); // every viewer that joins says its size
        _terminal.Resize(cols, rows);
        if (changed) Recording.Resize(cols, rows);
    }

    /// <summary>Shows a line of our own in the terminal, to every viewer and in the scrollback.</summary>
    public void Announce(string message) => Publish(Encoding.UTF8.GetBytes($"\u001b[1;33m{message}\u001b[0m\r\n"));

    /// <summary>Ends the terminal: kills the program (after its farewell) and tells viewers <paramref name="reason"/>.</summary>
    public async Task Close(string reason)
    {
        _closeReason ??= reason;
        if (_farewell is not null && !Ended.IsCompleted)
        {
            // A full input queue (a flood ahead of it) only delays the kill by the farewell's time.
            await Task.WhenAny(SendAsync(_farewell), Task.Delay(FarewellTime));
            await Task.WhenAny(Ended, Task.Delay(FarewellTime));
        }

        _killing = true;
        _terminal.Signal(Interop.NodeLibC.SIGKILL);
        await Ended;
    }

    private static readonly TimeSpan FarewellTime = TimeSpan.FromSeconds(2);

    private void ReadOutput()
    {
        var buffer = new byte[64 << 10];
        try
        {
            while (!_killing)
            {
                var read = _terminal.Read(buffer, PollInterval, out var timedOut);
                if (timedOut) continue;
                if (read <= 0) break; // hung up: the program exited

                // Programs write in bursts of small pieces (readline echoes key by key): what is there
                // already goes on as one chunk, so viewers get one frame rather than a dozen.
                var filled = read;
                while (filled < buffer.Length && (read = _terminal.Read(buffer.AsSpan(filled), TimeSpan.Zero, out timedOut)) > 0)
                {
                    filled += read;
                }

                Publish(buffer.AsSpan(0, filled).ToArray());
                if (read == 0) break; // hung up while draining
            }
        }
        catch (IOException)
        {
            // the terminal failed: end as if the program exited
        }

        Finish();
    }

    private void Publish(byte[] chunk)
    {
        lock (_gate)
        {
            _scrollback.Append(chunk);
            Recording.Output(chunk);
            _viewers.RemoveAll(viewer => !viewer.TryEnqueue(chunk));
        }
    }

    private void Finish()
    {
        _input.Complete();
        _terminal.Signal(Interop.NodeLibC.SIGKILL); // unblocks a writer stuck on a full input queue
        _writer.Wait(TimeSpan.FromSeconds(5));
        _terminal.Dispose(); // reaps, then closes the master: nobody uses it any more

        lock (_gate)
        {
            _endReason = _closeReason ?? _exitReason;
            foreach (var viewer in _viewers) viewer.End(_endReason);
            _viewers.Clear();
        }

        _ended.TrySetResult();
    }

    private async Task WriteInputAsync()
    {
        await foreach (var input in _input.ReadAllAsync())
        {
            try
            {
                _terminal.Write(input);
            }
            catch (IOException)
            {
                return;
            }
        }
    }
}
