using System.Diagnostics.Metrics;
using CoreFileProfiler.Node.Cores;
using CoreFileProfiler.Node.Debugging;
using CoreFileProfiler.Node.Terminals;

namespace CoreFileProfiler.Node.Telemetry;

/// <summary>
/// The node's metrics (meter <c>CoreFileProfiler</c>, scraped at <c>/metrics</c>): what runs now is
/// read when scraped; what happened is counted where it happens.
/// </summary>
public sealed class ProfilerMetrics : IDisposable
{
    public const string MeterName = "CoreFileProfiler";
    private static readonly TimeSpan StoreScanAge = TimeSpan.FromSeconds(10);

    private readonly Meter _meter = new(MeterName);
    private readonly Counter<long> _processorCalls;
    private readonly Histogram<double> _processorDuration;
    private readonly Counter<long> _downloads;
    private readonly Counter<long> _downloadBytes;
    private readonly Counter<long> _crashes;
    private readonly CoreStore _store;
    private readonly TimeProvider _time;
    private (DateTimeOffset At, int Count, long Bytes) _storeScan;
    private int _liveSessions;

    public ProfilerMetrics(LocalTerminals terminals, CoreStore store, GdbProcessSlots gdbProcesses, TimeProvider time)
    {
        _store = store;
        _time = time;
        _processorCalls = _meter.CreateCounter<long>("cfp.processor.calls", description: "Processor calls, by outcome (ok, invalid, forbidden, not_found, gone, unavailable, cancelled, error).");
        _processorDuration = _meter.CreateHistogram<double>("cfp.processor.duration", "s", "Processor call latency.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] });
        _downloads = _meter.CreateCounter<long>("cfp.downloads", description: "File downloads started (GET), local or through another node.");
        _downloadBytes = _meter.CreateCounter<long>("cfp.download.size", "By", "Bytes of files sent to clients.");
        _crashes = _meter.CreateCounter<long>("cfp.crashes", description: "Crashes reported, by namespace, container and signal (never pods or signatures: bounded labels).");
        _meter.CreateObservableGauge("cfp.sessions.live", () => Volatile.Read(ref _liveSessions), description: "Live debug sessions of this node.");
        _meter.CreateObservableGauge("cfp.terminals.running", () => Running(terminals), description: "gdb terminals running on this node.");
        _meter.CreateObservableGauge("cfp.terminal.viewers", () => terminals.All().Sum(t => t.ViewerCount), description: "Viewers connected to this node's terminals.");
        _meter.CreateObservableGauge("cfp.gdb.processes", () => gdbProcesses.Taken, description: "gdb and gcore processes this node runs.");
        _meter.CreateObservableGauge("cfp.cores", () => StoreScan().Count, description: "Cores in this node's store.");
        _meter.CreateObservableGauge("cfp.core.size", () => StoreScan().Bytes, "By", "Bytes of the cores in this node's store.");
    }

    public void ProcessorCall(string outcome, TimeSpan duration)
    {
        var tag = new KeyValuePair<string, object?>("outcome", outcome);
        _processorCalls.Add(1, tag);
        _processorDuration.Record(duration.TotalSeconds, tag);
    }

    public void DownloadStarted(bool local) => _downloads.Add(1, new KeyValuePair<string, object?>("source", local ? "local" : "remote"));

    public void Sent(long bytes) => _downloadBytes.Add(bytes);

    /// <summary>A crash reported; a crash outside any pod has empty namespace and container.</summary>
    public void Crashed(string? ns, string? container, string signal) => _crashes.Add(
        1, new("namespace", ns ?? ""), new("container", container ?? ""), new KeyValuePair<string, object?>("signal", signal));

    public void LiveSessions(int count) => Volatile.Write(ref _liveSessions, count);

    public void Dispose() => _meter.Dispose();

    private static int Running(LocalTerminals terminals) => terminals.All().Count(t => !t.Ended.IsCompleted);

    /// <summary>The store's size, rescanned at most every few seconds however often it is scraped.</summary>
    private (int Count, long Bytes) StoreScan()
    {
        var scan = _storeScan;
        if (_time.GetUtcNow() - scan.At < StoreScanAge) return (scan.Count, scan.Bytes);
        var cores = _store.ListAll();
        _storeScan = (_time.GetUtcNow(), cores.Count, cores.Sum(c => c.Size));
        return (_storeScan.Count, _storeScan.Bytes);
    }
}
