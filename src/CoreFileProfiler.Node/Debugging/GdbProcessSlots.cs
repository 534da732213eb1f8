using Microsoft.Extensions.Options;

namespace CoreFileProfiler.Node.Debugging;

/// <summary>
/// The node's cap on gdb and gcore processes (<c>Profiler:MaxGdbProcesses</c>): each holds a slot while
/// it runs, whichever session started it, so no number of sessions starts more debuggers than the node
/// survives.
/// </summary>
public sealed class GdbProcessSlots(IOptions<ProfilerOptions> options)
{
    private int _taken;

    /// <summary>gdb and gcore processes running now.</summary>
    public int Taken => Volatile.Read(ref _taken);

    /// <summary>A slot, given back when disposed (once, however often).</summary>
    /// <exception cref="LimitReachedException">Every slot is taken.</exception>
    public IDisposable Take()
    {
        var max = options.Value.MaxGdbProcesses;
        if (Interlocked.Increment(ref _taken) > max)
        {
            Interlocked.Decrement(ref _taken);
            throw new LimitReachedException($"This node already runs {max} gdb and gcore processes (Profiler:MaxGdbProcesses); try again when one ends.");
        }

        return new Slot(this);
    }

    private sealed class Slot(GdbProcessSlots slots) : IDisposable
    {
        private int _returned;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _returned, 1) == 0) Interlocked.Decrement(ref slots._taken);
        }
    }
}
