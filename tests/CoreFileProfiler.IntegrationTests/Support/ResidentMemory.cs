using System.Globalization;

namespace CoreFileProfiler.IntegrationTests.Support;

/// <summary>A process's resident memory (VmRSS), sampled in the background: the peak is what the node paid.</summary>
internal sealed class ResidentMemory : IAsyncDisposable
{
    private readonly int _pid;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sampling;
    private long _peak;

    public ResidentMemory(int pid, TimeSpan every)
    {
        _pid = pid;
        _peak = Of(pid);
        _sampling = SampleAsync(every);
    }

    public long Peak => Interlocked.Read(ref _peak);

    public long Now => Of(_pid);

    public static long Of(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }

    private async Task SampleAsync(TimeSpan every)
    {
        try
        {
            while (true)
            {
                await Task.Delay(every, _stop.Token);
                var now = Of(_pid);
                if (now > Interlocked.Read(ref _peak)) Interlocked.Exchange(ref _peak, now);
            }
        }
        catch (OperationCanceledException)
        {
            // stopped
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _sampling;
        _stop.Dispose();
    }
}
