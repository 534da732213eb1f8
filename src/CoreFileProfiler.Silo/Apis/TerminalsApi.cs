using CoreFileProfiler.Node;
using CoreFileProfiler.Node.Terminals;
using CoreFileProfiler.Silo.Hosting;
using CoreFileProfiler.Silo.Terminals;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Orleans.Runtime;

namespace CoreFileProfiler.Silo.Apis;

/// <summary>gdb terminals of a session: open one, its page, its WebSocket, its recording (docs/architecture.md, HTTP contract, §4.6).</summary>
public static class TerminalsApi
{
    public const string RecordingContentType = "application/x-asciicast";

    public sealed record OpenTerminalBody(string? File, int? Pid);

    /// <param name="Watch">The read-only page, under its own id: it reveals nothing of the session's URL.</param>
    /// <param name="WatchWs">The read-only WebSocket.</param>
    public sealed record OpenedTerminal(string Id, string Url, string Ws, string Watch, string WatchWs);

    public static IEndpointRouteBuilder MapTerminalsApi(this IEndpointRouteBuilder app)
    {
        var terminals = app.MapGroup("/sessions/{id}/terminals").AddEndpointFilter(SessionsApi.KeepCapabilityPrivate).WithSessionProblems();
        terminals.MapPost("/", Open)
            .WithSummary("Starts gdb on one of the session's files, or (with the admin token) attached to one of its processes.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized);
        terminals.MapGet("/{terminalId}/", Page).WithSummary("The terminal's page (xterm.js).").Produces(StatusCodes.Status200OK, contentType: "text/html");
        terminals.MapGet("/{terminalId}/ws", Connect)
            .AddEndpointFilter(AllowedOrigins.Require("Terminal WebSockets"))
            .WithSummary("The terminal's WebSocket: binary output out; JSON input and resize messages in.")
            .Produces(StatusCodes.Status101SwitchingProtocols)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);
        terminals.MapGet("/{terminalId}/recording", Recording)
            .WithSummary("The terminal's asciicast v2 recording: output, input and resizes; also after gdb exited.")
            .Produces(StatusCodes.Status200OK, contentType: RecordingContentType);
        return app;
    }

    public static async Task<Results<Created<OpenedTerminal>, ProblemHttpResult>> Open(string id, OpenTerminalBody? body, HttpRequest request, IGrainFactory grains, AdminAccess admin)
    {
        // Attaching to a live process is control of a running workload: the session URL is not enough.
        if (body?.Pid is not null && !admin.IsAllowed(request.HttpContext)) return LiveAttachRefused(request.HttpContext, admin);
        var terminal = await grains.GetSession(id).OpenTerminal(new TerminalRequest(body?.File, body?.Pid));
        // Relative to how this client reached us, which may not be the node's public name.
        var url = $"{request.Scheme}://{request.Host}{request.PathBase}/sessions/{id}/terminals/{terminal.Id}/";
        var watch = $"{request.Scheme}://{request.Host}{request.PathBase}/watch/{terminal.WatchId}/";
        return TypedResults.Created(url, new OpenedTerminal(terminal.Id, url, WebSocketUrl(request, url), watch, WebSocketUrl(request, watch)));
    }

    /// <summary>Streams the recording as it stands; 404 or 410 before the first byte.</summary>
    public static async Task<IResult> Recording(string id, string terminalId, IGrainFactory grains, HttpContext context)
    {
        var session = grains.GetSession(id);
        await session.GetTerminal(terminalId);
        var aborted = context.RequestAborted;
        return TypedResults.Stream(
            async body =>
            {
                await foreach (var chunk in session.ReadRecording(terminalId, aborted).WithBatchSize(16).WithCancellation(aborted))
                {
                    await body.WriteAsync(chunk, aborted);
                }
            },
            RecordingContentType,
            "gdb.cast");
    }

    /// <summary>The WebSocket beside a page: same host and path, <c>ws</c> for <c>http</c>.</summary>
    public static string WebSocketUrl(HttpRequest request, string pageUrl) => (request.IsHttps ? "wss" : "ws") + pageUrl[request.Scheme.Length..] + "ws";

    public static async Task<IResult> Page(string id, string terminalId, HttpRequest request, IGrainFactory grains, IWebHostEnvironment environment)
    {
        if (!request.Path.Value!.EndsWith('/')) return TypedResults.Redirect($"{request.PathBase}{request.Path}/");
        await grains.GetSession(id).GetTerminal(terminalId);
        return TypedResults.PhysicalFile(Path.Join(environment.WebRootPath, "terminal.html"), "text/html; charset=utf-8");
    }

    public static async Task<IResult> Connect(
        string id, string terminalId, HttpContext context, IGrainFactory grains, LocalTerminals local, AdminAccess admin, IOptions<ProfilerOptions> options, ILoggerFactory loggers)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            throw ProfilerException.Invalid("This is a terminal's WebSocket; connect with a WebSocket client.");
        }

        var session = grains.GetSession(id);
        var info = await session.GetTerminal(terminalId); // 404 or 410 before the upgrade, not after
        if (info.AttachedPid is not null && !admin.IsAllowed(context)) return LiveAttachRefused(context, admin);
        var audit = info.AttachedPid is { } pid ? new LiveAttachAudit(loggers.CreateLogger<LiveAttachAudit>(), context.Connection.RemoteIpAddress, id, pid) : null;
        await RelayAsync(context, session, new TerminalAddress(id, terminalId), info, readOnly: false, local, options.Value, loggers, audit);
        return TypedResults.Empty;
    }

    /// <summary>
    /// Accepts the WebSocket (access was checked) and joins it to the terminal until either ends. A terminal
    /// that has all the viewers it admits is refused with 503 before the upgrade.
    /// </summary>
    internal static async Task RelayAsync(
        HttpContext context, IDebugSessionGrain session, TerminalAddress terminal, TerminalInfo info, bool readOnly, LocalTerminals local, ProfilerOptions options,
        ILoggerFactory loggers, LiveAttachAudit? audit = null)
    {
        // Checked again, race-free, where the viewer joins; that refusal closes the socket with 1013.
        if (info.EndReason is null && info.Viewers >= info.MaxViewers) throw ProfilerException.Unavailable(TerminalLimits.TooManyViewers(info.MaxViewers));
        using var socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext { KeepAliveInterval = TimeSpan.FromSeconds(20) });
        // On the terminal's own node, join it directly; elsewhere, through its session grain.
        ITerminalLink link = local.Find(terminal.SessionId, terminal.TerminalId) is { } here
            ? new LocalTerminalLink(here)
            : new GrainTerminalLink(session, terminal.TerminalId);
        if (readOnly) link = new ReadOnlyTerminalLink(link);
        await new TerminalRelay(socket, link, session, terminal.TerminalId, options.MaxViewerBacklogBytes, loggers.CreateLogger<TerminalRelay>(), audit)
            .RunAsync(context.RequestAborted);
    }

    private static ProblemHttpResult LiveAttachRefused(HttpContext context, AdminAccess admin)
    {
        context.Response.Headers.WWWAuthenticate = "Bearer";
        return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, detail: $"Attaching gdb to a live process needs the admin token as well as the session URL. {admin.RefusalDetail}");
    }
}
