using CoreFileProfiler.Node;
using CoreFileProfiler.Node.Cores;
using CoreFileProfiler.Node.Telemetry;
using CoreFileProfiler.Node.Terminals;
using CoreFileProfiler.Silo.Downloads;
using CoreFileProfiler.Silo.Terminals;
using CoreFileProfiler.Store;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace CoreFileProfiler.Silo.NodeIo;

/// <summary>
/// The one seam between the gateway and node-local I/O (docs/architecture.md, Request flows). An endpoint
/// asks the session grain first (which file, which terminal, may this caller have it); this then serves the
/// bytes: on the node that holds them straight from disk or the terminal itself; on any other gateway by
/// forwarding the user's request to that node's gateway (<see cref="NodeGateways"/>); and through the
/// session grain when that gateway cannot be reached. A forwarded request is never forwarded again.
/// </summary>
internal sealed class SessionIo(
    IOptions<ProfilerOptions> options, ForwardingEndpoint endpoint, NodeGateways gateways, LocalTerminals local, ProfilerMetrics metrics, ILoggerFactory loggers)
{
    public const string DownloadContentType = "application/octet-stream";

    /// <summary>
    /// The body of a file the session lists, with ranges for resumed downloads. A zstd core is sent
    /// decompressed, without ranges (a compressed stream cannot seek).
    /// </summary>
    public async Task<IResult> FileAsync(HttpContext context, IDebugSessionGrain session, DownloadableFile file)
    {
        var local = file.Node == options.Value.NodeName;
        if (!local && await ForwardedAsync(context, file.Node, download: true)) return TypedResults.Empty;

        var etag = new EntityTagHeaderValue($"\"{file.Size:x}-{file.Modified.UtcTicks:x}\"");
        if (file.Compressed) context.Response.ContentLength = file.ServedLength; // the stream cannot say
        if (HttpMethods.IsGet(context.Request.Method)) metrics.DownloadStarted(local);

        if (!local)
        {
            var remote = new RemoteFileStream(session, file.Path, file.ServedLength ?? long.MaxValue, seekable: !file.Compressed);
            return TypedResults.Stream(new MeteredStream(remote, metrics), DownloadContentType, file.DownloadName, file.Modified, etag, enableRangeProcessing: !file.Compressed);
        }

        if (file.Compressed)
        {
            var decompressed = new MeteredStream(CompressedCore.OpenDecompressed(file.FullPath), metrics);
            return TypedResults.Stream(decompressed, DownloadContentType, file.DownloadName, file.Modified, etag);
        }

        DirectFileBody.Use(context, metrics);
        return TypedResults.PhysicalFile(file.FullPath, DownloadContentType, file.DownloadName, file.Modified, etag, enableRangeProcessing: true);
    }

    /// <summary>
    /// Joins the WebSocket to the terminal (access was checked) until either ends: the terminal itself when
    /// it runs here, else its node's gateway, else its session grain. A terminal that has all the viewers it
    /// admits is refused with 503 before the upgrade.
    /// </summary>
    public async Task JoinTerminalAsync(
        HttpContext context, IDebugSessionGrain session, TerminalAddress terminal, TerminalInfo info, bool readOnly, LiveAttachAudit? audit = null)
    {
        // Checked again, race-free, where the viewer joins; that refusal closes the socket with 1013.
        if (info.EndReason is null && info.Viewers >= info.MaxViewers) throw ProfilerException.Unavailable(TerminalLimits.TooManyViewers(info.MaxViewers));
        var here = local.Find(terminal.SessionId, terminal.TerminalId);
        if (here is null && NodeOf(terminal.SessionId) is { } node && node != options.Value.NodeName)
        {
            audit?.Forwarding(node);
            if (await ForwardedAsync(context, node)) return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext { KeepAliveInterval = TimeSpan.FromSeconds(20) });
        ITerminalLink link = here is not null ? new LocalTerminalLink(here) : new GrainTerminalLink(session, terminal.TerminalId);
        if (readOnly) link = new ReadOnlyTerminalLink(link);
        await new TerminalRelay(socket, link, session, terminal.TerminalId, options.Value.MaxViewerBacklogBytes, loggers.CreateLogger<TerminalRelay>(), audit)
            .RunAsync(context.RequestAborted);
    }

    /// <summary>A terminal's recording as it stands: from its node's gateway when it is elsewhere, else through its session grain.</summary>
    public async Task<IResult> RecordingAsync(HttpContext context, IDebugSessionGrain session, TerminalAddress terminal, string contentType)
    {
        if (NodeOf(terminal.SessionId) is { } node && node != options.Value.NodeName && await ForwardedAsync(context, node)) return TypedResults.Empty;
        var aborted = context.RequestAborted;
        return TypedResults.Stream(
            async body =>
            {
                await foreach (var chunk in session.ReadRecording(terminal.TerminalId, aborted).WithBatchSize(16).WithCancellation(aborted))
                {
                    await body.WriteAsync(chunk, aborted);
                }
            },
            contentType,
            "gdb.cast");
    }

    /// <summary>Whether the request was forwarded to <paramref name="node"/>'s gateway and answered there.</summary>
    private Task<bool> ForwardedAsync(HttpContext context, string node, bool download = false) =>
        endpoint.Receives(context) ? Task.FromResult(false)
            : download ? gateways.TryForwardDownloadAsync(context, node) : gateways.TryForwardAsync(context, node);

    private static string? NodeOf(string sessionId) => SessionId.TryGetNode(sessionId, out var node) ? node : null;
}
