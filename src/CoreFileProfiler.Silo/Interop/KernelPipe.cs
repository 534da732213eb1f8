using Microsoft.Win32.SafeHandles;

namespace CoreFileProfiler.Silo.Interop;

/// <summary>
/// A pipe that carries a spliced body from one socket to another: its pages are the only memory a
/// transfer holds, whatever the pace of either side. Both ends close with it.
/// </summary>
internal sealed class KernelPipe : IDisposable
{
    private const int DefaultCapacity = 64 << 10;

    public KernelPipe(int capacity)
    {
        var (read, write) = SiloLibC.Pipe();
        Reader = new SafeFileHandle(read, ownsHandle: true);
        Writer = new SafeFileHandle(write, ownsHandle: true);
        Capacity = SiloLibC.ResizePipe(Writer, capacity, DefaultCapacity);
    }

    public SafeFileHandle Reader { get; }

    public SafeFileHandle Writer { get; }

    /// <summary>How many bytes the pipe holds at most.</summary>
    public int Capacity { get; }

    public void Dispose()
    {
        Reader.Dispose();
        Writer.Dispose();
    }
}
