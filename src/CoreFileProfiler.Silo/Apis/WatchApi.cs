using CoreFileProfiler.Silo.Hosting;
using CoreFileProfiler.Silo.NodeIo;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CoreFileProfiler.Silo.Apis;

/// <summary>
/// Read-only watch links (docs/architecture.md, HTTP contract): a terminal's page, JSON and WebSocket under its watch id
/// alone, which any gateway resolves through the node that issued it. Watchers see what every
/// viewer sees; what they type or resize goes nowhere.
/// </summary>
public static class WatchApi
{
    /// <summary>What a watcher's page shows: nothing that leads to the session.</summary>
    public sealed record WatchedTerminal(string Target, DateTimeOffset ExpiresAt, string? EndReason);

    public static IEndpointRouteBuilder MapWatchApi(this IEndpointRouteBuilder app)
    {
        var watch = app.MapGroup("/watch/{watchId}").AddEndpointFilter(SessionsApi.KeepCapabilityPrivate).WithSessionProblems();
        watch.MapGet("/", Page).WithSummary("The terminal's read-only page (xterm.js).").Produces(StatusCodes.Status200OK, contentType: "text/html");
        watch.MapGet("/api", Describe).WithSummary("What the watched terminal debugs, and when its session ends.");
        watch.MapGet("/ws", Connect)
            .AddEndpointFilter(AllowedOrigins.Require("Watch WebSockets"))
            .WithSummary("The terminal's read-only WebSocket: binary output out; whatever comes in is ignored.")
            .Produces(StatusCodes.Status101SwitchingProtocols)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden);
        return app;
    }

    public static async Task<IResult> Page(string watchId, HttpRequest request, IGrainFactory grains, IWebHostEnvironment environment)
    {
        if (!request.Path.Value!.EndsWith('/')) return TypedResults.Redirect($"{request.PathBase}{request.Path}/");
        await ResolveAsync(watchId, grains);
        return TypedResults.PhysicalFile(Path.Join(environment.WebRootPath, "terminal.html"), "text/html; charset=utf-8");
    }

    public static async Task<Ok<WatchedTerminal>> Describe(string watchId, IGrainFactory grains)
    {
        var (session, _, terminal) = await ResolveAsync(watchId, grains);
        var summary = await session.Summarize() ?? throw ProfilerException.Gone("This session has ended.");
        return TypedResults.Ok(new WatchedTerminal(terminal.Target, summary.ExpiresAt, terminal.EndReason));
    }

    internal static async Task<IResult> Connect(string watchId, HttpContext context, IGrainFactory grains, SessionIo io)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            throw ProfilerException.Invalid("This is a terminal's WebSocket; connect with a WebSocket client.");
        }

        var (session, address, terminal) = await ResolveAsync(watchId, grains); // 404 or 410 before the upgrade, not after
        await io.JoinTerminalAsync(context, session, address, terminal, readOnly: true);
        return TypedResults.Empty;
    }

    /// <summary>The watched terminal, through the node that issued the id; 404 for unknown ids, 410 once its session ended.</summary>
    private static async Task<(IDebugSessionGrain Session, TerminalAddress Address, TerminalInfo Terminal)> ResolveAsync(string watchId, IGrainFactory grains)
    {
        var target = await grains.FindWatch(watchId);
        var session = grains.GetSession(target.SessionId);
        return (session, target, await session.GetTerminal(target.TerminalId));
    }
}
