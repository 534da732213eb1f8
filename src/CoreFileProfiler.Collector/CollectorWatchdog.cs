using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using CoreFileProfiler.Store.Interop;
using Microsoft.Win32.SafeHandles;

namespace CoreFileProfiler.Collector;

/// <summary>
/// The collector's clocks, so no crash holds it for long: streaming the core stops at
/// <see cref="CollectorSettings.MaxStreamSeconds"/> (the core is cut and noted, as at the size
/// limit); the lookups around it (container, names, build-id, executable copy) share
/// <see cref="CollectorSettings.EnrichmentSeconds"/>, and one that overruns (or runs out of memory
/// within <see cref="CollectorLimits"/>) is left behind and named in the metadata's <c>skipped</c>;
/// and past both, with a few seconds for the metadata, the process ends whatever it is doing (a
/// write stuck on a dead disk).
/// </summary>
public sealed partial class CollectorWatchdog : IDisposable
{
    private const int GraceSeconds = 10;
    private const int TimedOut = 124;

    private readonly CollectorSettings _settings;
    private readonly SafeFileHandle? _input;
    private readonly Stopwatch _enrichment = new();
    private readonly List<string> _skipped = [];
    private readonly Timer _lastResort;
    private Stopwatch? _stream;
    private bool _overran;

    /// <param name="input">The core's descriptor, waited on with poll(2) so a stalled dump cannot block a read past the bound.</param>
    public CollectorWatchdog(CollectorSettings settings, SafeFileHandle? input)
    {
        _settings = settings;
        _input = input;
        // Clamped to what a timer takes, whatever the settings say.
        var lastResort = TimeSpan.FromSeconds(Math.Clamp((double)settings.MaxStreamSeconds + settings.EnrichmentSeconds + GraceSeconds, GraceSeconds, int.MaxValue / 1000));
        _lastResort = new Timer(_ => Exit(TimedOut), null, lastResort, Timeout.InfiniteTimeSpan);
    }

    /// <summary>What was not done, and why; null when everything was.</summary>
    public IReadOnlyList<string>? Skipped => _skipped.Count > 0 ? _skipped : null;

    /// <summary>The note of a core cut at the time bound.</summary>
    public string StreamCut => $"cut at MaxStreamSeconds ({_settings.MaxStreamSeconds} s)";

    /// <summary>Waits until the core has more to read (or ended); false once streaming has had its time. The clock starts at the first call.</summary>
    public bool WaitForCore()
    {
        _stream ??= Stopwatch.StartNew();
        while (true)
        {
            var left = TimeSpan.FromSeconds(_settings.MaxStreamSeconds) - _stream.Elapsed;
            if (left <= TimeSpan.Zero) return false;
            if (_input is null) return true;
            var ready = LibC.PollReadable((int)_input.DangerousGetHandle(), (int)Math.Min(int.MaxValue, Math.Ceiling(left.TotalMilliseconds)), out var errno);
            if (ready > 0) return true;
            if (ready < 0 && errno != LibC.EINTR) return true; // not pollable: read as before
        }
    }

    /// <summary>
    /// Runs one lookup within what is left of the enrichment time; past it, the lookup is left
    /// running (the process ends soon) and <paramref name="otherwise"/> stands in for its result.
    /// </summary>
    public T Run<T>(string what, Func<T> lookup, T otherwise)
    {
        var left = TimeSpan.FromSeconds(_settings.EnrichmentSeconds) - _enrichment.Elapsed;
        if (_overran || left <= TimeSpan.Zero)
        {
            _skipped.Add($"{what}: EnrichmentSeconds ({_settings.EnrichmentSeconds.ToString(CultureInfo.InvariantCulture)} s) used up before it");
            return otherwise;
        }

        _enrichment.Start();
        try
        {
            var task = Task.Run(lookup);
            if (task.Wait(TimeSpan.FromMilliseconds(Math.Min(left.TotalMilliseconds, int.MaxValue)))) return task.Result;
        }
        catch (AggregateException e) when (e.InnerException is OutOfMemoryException)
        {
            // A limit hit (the GC heap's, or MaxAddressSpaceBytes): the lookup's garbage is gone with it, and the rest goes on.
            _skipped.Add($"{what}: out of memory (the 64 MiB heap, or MaxAddressSpaceBytes {_settings.MaxAddressSpaceBytes.ToString(CultureInfo.InvariantCulture)} bytes)");
            return otherwise;
        }
        catch (AggregateException e) when (e.InnerException is { } inner)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(inner);
        }
        finally
        {
            _enrichment.Stop();
        }

        // The wait may end a hair early (milliseconds are rounded): the time is spent all the same.
        _overran = true;
        _skipped.Add($"{what}: not done within EnrichmentSeconds ({_settings.EnrichmentSeconds.ToString(CultureInfo.InvariantCulture)} s)");
        return otherwise;
    }

    public void Dispose() => _lastResort.Dispose();

    // _exit(2): no finalizers or flushing that could block like whatever overran.
    [LibraryImport("libc", EntryPoint = "_exit")]
    private static partial void Exit(int status);
}
