using CoreFileProfiler.Node.Terminals;
using CoreFileProfiler.Silo.Hosting;
using CoreFileProfiler.Silo.Terminals;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CoreFileProfiler.Silo.Apis;

/// <summary>gdb terminals of a session: open one, its page, its WebSocket (DESIGN §4.2).</summary>
public static class TerminalsApi
{
    public sealed record OpenTerminalBody(string? File, int? Pid);

    public sealed record OpenedTerminal(string Id, string Url, string Ws);

    public static IEndpointRouteBuilder MapTerminalsApi(this IEndpointRouteBuilder app)
    {
        var terminals = app.MapGroup("/sessions/{id}/terminals").AddEndpointFilter(SessionsApi.KeepCapabilityPrivate).WithSessionProblems();
        terminals.MapPost("/", Open).WithSummary("Starts gdb on one of the session's files or processes.").ProducesProblem(StatusCodes.Status400BadRequest);
        terminals.MapGet("/{terminalId}/", Page).WithSummary("The terminal's page (xterm.js).").Produces(StatusCodes.Status200OK, contentType: "text/html");
        terminals.MapGet("/{terminalId}/ws", Connect)
            .AddEndpointFilter(AllowedOrigins.Require("Terminal WebSockets"))
            .WithSummary("The terminal's WebSocket: binary output out; JSON input and resize messages in.")
            .Produces(StatusCodes.Status101SwitchingProtocols)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden);
        return app;
    }

    public static async Task<Created<OpenedTerminal>> Open(string id, OpenTerminalBody? body, HttpRequest request, IGrainFactory grains)
    {
        var terminal = await grains.GetSession(id).OpenTerminal(new TerminalRequest(body?.File, body?.Pid));
        // Relative to how this client reached us, which may not be the node's public name.
        var url = $"{request.Scheme}://{request.Host}{request.PathBase}/sessions/{id}/terminals/{terminal.Id}/";
        var ws = (request.IsHttps ? "wss" : "ws") + url[request.Scheme.Length..] + "ws";
        return TypedResults.Created(url, new OpenedTerminal(terminal.Id, url, ws));
    }

    public static async Task<IResult> Page(string id, string terminalId, HttpRequest request, IGrainFactory grains, IWebHostEnvironment environment)
    {
        if (!request.Path.Value!.EndsWith('/')) return TypedResults.Redirect($"{request.PathBase}{request.Path}/");
        await grains.GetSession(id).GetTerminal(terminalId);
        return TypedResults.PhysicalFile(Path.Join(environment.WebRootPath, "terminal.html"), "text/html; charset=utf-8");
    }

    public static async Task<IResult> Connect(string id, string terminalId, HttpContext context, IGrainFactory grains, LocalTerminals local, ILoggerFactory loggers)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            throw ProfilerException.Invalid("This is a terminal's WebSocket; connect with a WebSocket client.");
        }

        var session = grains.GetSession(id);
        await session.GetTerminal(terminalId); // 404 or 410 before the upgrade, not after
        using var socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext { KeepAliveInterval = TimeSpan.FromSeconds(20) });
        // On the terminal's own node, join it directly; elsewhere, through its session grain.
        ITerminalLink link = local.Find(id, terminalId) is { } here ? new LocalTerminalLink(here) : new GrainTerminalLink(session, terminalId);
        await new TerminalRelay(socket, link, session, terminalId, loggers.CreateLogger<TerminalRelay>()).RunAsync(context.RequestAborted);
        return TypedResults.Empty;
    }
}
