using CoreFileProfiler.Silo.Hosting;
using CoreFileProfiler.Silo.NodeIo;
using CoreFileProfiler.Silo.Terminals;
using Microsoft.AspNetCore.Http.HttpResults;

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
    internal static async Task<IResult> Recording(string id, string terminalId, IGrainFactory grains, HttpContext context, SessionIo io)
    {
        var session = grains.GetSession(id);
        await session.GetTerminal(terminalId);
        return await io.RecordingAsync(context, session, new TerminalAddress(id, terminalId), RecordingContentType);
    }

    /// <summary>The WebSocket beside a page: same host and path, <c>ws</c> for <c>http</c>.</summary>
    public static string WebSocketUrl(HttpRequest request, string pageUrl) => (request.IsHttps ? "wss" : "ws") + pageUrl[request.Scheme.Length..] + "ws";

    public static async Task<IResult> Page(string id, string terminalId, HttpRequest request, IGrainFactory grains, IWebHostEnvironment environment)
    {
        if (!request.Path.Value!.EndsWith('/')) return TypedResults.Redirect($"{request.PathBase}{request.Path}/");
        await grains.GetSession(id).GetTerminal(terminalId);
        return TypedResults.PhysicalFile(Path.Join(environment.WebRootPath, "terminal.html"), "text/html; charset=utf-8");
    }

    internal static async Task<IResult> Connect(string id, string terminalId, HttpContext context, IGrainFactory grains, SessionIo io, AdminAccess admin, ILoggerFactory loggers)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            throw ProfilerException.Invalid("This is a terminal's WebSocket; connect with a WebSocket client.");
        }

        var session = grains.GetSession(id);
        var info = await session.GetTerminal(terminalId); // 404 or 410 before the upgrade, not after
        if (info.AttachedPid is not null && !admin.IsAllowed(context)) return LiveAttachRefused(context, admin);
        var audit = info.AttachedPid is { } pid ? new LiveAttachAudit(loggers.CreateLogger<LiveAttachAudit>(), context.Connection.RemoteIpAddress, id, pid) : null;
        await io.JoinTerminalAsync(context, session, new TerminalAddress(id, terminalId), info, readOnly: false, audit);
        return TypedResults.Empty;
    }

    private static ProblemHttpResult LiveAttachRefused(HttpContext context, AdminAccess admin)
    {
        context.Response.Headers.WWWAuthenticate = "Bearer";
        return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, detail: $"Attaching gdb to a live process needs the admin token as well as the session URL. {admin.RefusalDetail}");
    }
}
