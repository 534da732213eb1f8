using System.Collections.Concurrent;
using System.Threading.Channels;
using CoreFileProfiler.Node;
using CoreFileProfiler.Node.Cores;
using CoreFileProfiler.Node.Sandbox;
using CoreFileProfiler.Node.Telemetry;
using CoreFileProfiler.Store;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CoreFileProfiler.Grains.Crashes;

/// <summary>
/// Reports every crash the collector files on this node (docs/architecture.md, Crash reports): told
/// of each new core by <see cref="FiledCoreWatcher"/> (and at start-up, of every core without a
/// report), it has gdb read it (<see cref="GdbCrashReader"/>), saves the report beside the core,
/// counts it into its group (<see cref="CrashGroups"/>, which applies the budget), counts the metric
/// and tells every <see cref="ICrashObserver"/>. At most <see cref="Concurrent"/> gdbs run for it at
/// once, queued, outside <c>Profiler:MaxGdbProcesses</c>: a crash loop neither starts more nor takes
/// a terminal's place. Nothing waits for it: not the collector, not a grain.
/// </summary>
public sealed partial class CrashReporter(
    IOptions<ProfilerOptions> options,
    CoreStore store,
    GdbSandbox sandbox,
    GdbCrashReader reader,
    CrashGroups groups,
    ProfilerMetrics metrics,
    IEnumerable<ICrashObserver> observers,
    ILogger<CrashReporter> logger) : BackgroundService
{
    /// <summary>gdbs reading cores for reports at once.</summary>
    public const int Concurrent = 2;

    // A metadata file written in place (not renamed) is whole a moment after it appears.
    private static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(100);
    private const int MetadataAttempts = 5;

    private readonly Channel<string> _queue = Channel.CreateUnbounded<string>();
    private readonly ConcurrentDictionary<string, byte> _queued = new(StringComparer.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The sandbox's probe ran in its own start-up, before this one (hosted services start in order).
        if (sandbox.Unavailable is { } why)
        {
            LogNoReports(logger, why);
            return;
        }

        FiledCoreWatcher? watcher = null;
        try
        {
            using (var opened = StoreDirectory.OpenRoot(store.Root)) opened.CreateDirectories(StoreLayout.KubernetesFolder).Dispose();
            var root = store.ResolvedRoot ?? store.Root;
            watcher = new FiledCoreWatcher(root, Path.Join(root, StoreLayout.KubernetesFolder), Enqueue, LookThrough, CatchUp);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or SymlinkInStoreException or ArgumentException)
        {
            // No inotify (its limits reached) or no store yet: a failure here must not stop the silo.
            LogNotWatching(logger, e.Message);
        }

        using (watcher)
        {
            await Task.Run(CatchUp, stoppingToken);
            await Task.WhenAll(Enumerable.Range(0, Concurrent).Select(_ => Task.Run(() => WorkAsync(stoppingToken), stoppingToken)));
        }
    }

    /// <summary>Every core of the store without a report, oldest first: those filed while the silo was down, or lost by the watcher.</summary>
    private void CatchUp()
    {
        try
        {
            foreach (var core in store.ListAll().Reverse())
            {
                if (!CrashReportFile.Exists(core.FullPath)) Enqueue(core.FullPath);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or SymlinkInStoreException)
        {
            LogNotWatching(logger, e.Message);
        }
    }

    /// <summary>A directory that just appeared: its cores may have landed before it was watched.</summary>
    private void LookThrough(string directory)
    {
        try
        {
            using var open = StoreDirectory.OpenDirectoryAt(directory);
            foreach (var (name, _, _) in open?.ListFiles(4, FiledCoreWatcher.IsMetadataName) ?? []) Enqueue(Path.Join(directory, name));
        }
        catch (Exception e) when (e is IOException or SymlinkInStoreException or UnauthorizedAccessException)
        {
            // gone again, or not ours to follow: its metadata events, if any, still come
        }
    }

    /// <summary>A core (plain or zstd) or its metadata, queued once however often it is named.</summary>
    private void Enqueue(string path)
    {
        var core = CompressedCore.Uncompressed(path.EndsWith(".json", StringComparison.Ordinal) ? path[..^5] : path);
        if (_queued.TryAdd(core, 0)) _queue.Writer.TryWrite(core);
    }

    private async Task WorkAsync(CancellationToken stoppingToken)
    {
        await foreach (var core in _queue.Reader.ReadAllAsync(stoppingToken))
        {
            try
            {
                await Task.Delay(Settle, stoppingToken);
                await Task.Run(() => Report(core, stoppingToken), stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                LogFailed(logger, core, e);
            }
            finally
            {
                // Only now: a second event for it while it is reported must not start a second report (and count).
                _queued.TryRemove(core, out _);
            }
        }
    }

    /// <param name="core">The core's path without <c>.zst</c>: the metadata's, less <c>.json</c>.</param>
    private void Report(string core, CancellationToken cancellationToken)
    {
        var metadata = CoreMetadata.ReadFor(core);
        for (var attempt = 1; metadata is null && attempt < MetadataAttempts && File.Exists(CoreMetadata.PathFor(core)); attempt++)
        {
            Thread.Sleep(Settle * attempt);
            metadata = CoreMetadata.ReadFor(core);
        }

        // Crashes only: a snapshot (gcore) is no crash, and a file without metadata is nobody's core.
        if (metadata?.Source != "kernel" || CrashReportFile.Exists(core)) return;
        var path = new[] { core, core + CompressedCore.Extension }.FirstOrDefault(File.Exists);
        CrashReport report;
        try
        {
            report = path is null
                ? reader.Unread(metadata, $"the core was not kept ({metadata.Note ?? "it is gone"})")
                : reader.Read(path, metadata, cancellationToken);
        }
        catch (Exception e) when (e is InsufficientSpaceException or SandboxUnavailableException)
        {
            // No room to decompress it, or no uid: said in the report, as a gdb that failed would be.
            report = reader.Unread(metadata, e.Message);
        }

        CrashReportFile.WriteFor(core, report);
        metrics.Crashed(metadata.Namespace, metadata.Container, report.SignalName ?? "unknown");
        var (group, isNew, removed) = groups.Add(path ?? core, metadata, report);
        LogReported(logger, path ?? core, report.Signature, group.Count, removed.Count, report.Error);
        foreach (var observer in observers)
        {
            try
            {
                observer.CrashFiled(options.Value.NodeName, group, isNew);
            }
            catch (Exception e)
            {
                LogObserverFailed(logger, observer.GetType().Name, e);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Crash reported: {Core}, signature {Signature}, crash {Count} of its group, {Removed} cores removed for the group's budget; {Error}")]
    private static partial void LogReported(ILogger logger, string core, string signature, long count, int removed, string? error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No crash report for {Core}")]
    private static partial void LogFailed(ILogger logger, string core, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Crash observer {Observer} failed")]
    private static partial void LogObserverFailed(ILogger logger, string observer, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Crash reports may miss new cores until the next start: the core store is not watched ({Reason})")]
    private static partial void LogNotWatching(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "No crash reports on this node: gdb cannot be sandboxed ({Reason})")]
    private static partial void LogNoReports(ILogger logger, string reason);
}
