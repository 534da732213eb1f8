using CoreFileProfiler.Silo.NodeIo;
using CoreFileProfiler.Silo.Pages;
using CoreFileProfiler.Store;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CoreFileProfiler.Silo.Apis;

/// <summary>A session's page, JSON, downloads and end (docs/architecture.md, HTTP contract). The URL is a capability.</summary>
public static class SessionsApi
{
    // Most snapshots take a few seconds: answered in one request. Far below Orleans' 30 s response timeout.
    private static readonly TimeSpan SnapshotAnswerWait = TimeSpan.FromSeconds(5);

    public static IEndpointRouteBuilder MapSessionsApi(this IEndpointRouteBuilder app)
    {
        var session = app.MapGroup("/sessions/{id}").AddEndpointFilter(KeepCapabilityPrivate).WithSessionProblems();
        session.MapGet("/", Page).WithSummary("The session's page.").Produces(StatusCodes.Status200OK, contentType: "text/html");
        session.MapGet("/api", Describe).WithSummary("The session as JSON: its files or processes and terminals.");
        session.MapMethods("/files/{**path}", [HttpMethods.Get, HttpMethods.Head], Download)
            .WithSummary("A file the session lists; Range requests resume.")
            .Produces(StatusCodes.Status200OK, contentType: SessionIo.DownloadContentType)
            .Produces(StatusCodes.Status206PartialContent, contentType: SessionIo.DownloadContentType)
            .Produces(StatusCodes.Status416RangeNotSatisfiable);
        session.MapPost("/snapshots", TakeSnapshot).WithSummary("gcore of one of the session's processes: 201 when written at once, else 202 with a status URL.")
            .Produces<Snapshot>(StatusCodes.Status201Created)
            .Produces<SnapshotProgress>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status400BadRequest);
        session.MapGet("/snapshots/{snapshotId}", GetSnapshot).WithSummary("A snapshot's status: running, done (path, size) or failed (reason).");
        session.MapDelete("/", Close).WithSummary("Ends the session now.");
        return app;
    }

    /// <summary>What every session URL may answer besides success: unknown (404), ended (410), node unavailable (503).</summary>
    public static RouteGroupBuilder WithSessionProblems(this RouteGroupBuilder group) => group
        .ProducesProblem(StatusCodes.Status404NotFound)
        .ProducesProblem(StatusCodes.Status410Gone)
        .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

    /// <summary>The URL grants access: keep it out of caches and out of Referer headers.</summary>
    public static async ValueTask<object?> KeepCapabilityPrivate(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        context.HttpContext.Response.Headers.CacheControl = "no-store";
        context.HttpContext.Response.Headers["Referrer-Policy"] = "no-referrer";
        return await next(context);
    }

    public static async Task<IResult> Page(string id, HttpRequest request, IGrainFactory grains, TimeProvider time)
    {
        // The page links relative to itself, so it must be addressed as a directory.
        if (!request.Path.Value!.EndsWith('/')) return TypedResults.Redirect($"{request.PathBase}{request.Path}/");
        var view = await grains.GetSession(id).Describe();
        return TypedResults.Content(SessionPage.Render(view, time.GetUtcNow()), "text/html; charset=utf-8");
    }

    public static async Task<Ok<SessionView>> Describe(string id, IGrainFactory grains) =>
        TypedResults.Ok(await grains.GetSession(id).Describe());

    /// <summary>Streams a listed file, with ranges for resumed downloads, wherever it is (<see cref="SessionIo"/>).</summary>
    internal static async Task<IResult> Download(string id, string path, HttpContext context, IGrainFactory grains, SessionIo io)
    {
        var session = grains.GetSession(id);
        return await io.FileAsync(context, session, await session.GetFile(path));
    }

    public sealed record SnapshotBody(int? Pid);

    /// <summary>A snapshot still running when the POST answers, or as its status URL reports it.</summary>
    public sealed record SnapshotProgress(string Id, SnapshotState Status, int Pid, string? Container, string? Path, long? Size, string? Reason, string Url);

    /// <summary>
    /// gcore of one of the session's processes, filed in the core store: 201 with the core when it is
    /// written within <see cref="SnapshotAnswerWait"/>, else (or at once with <c>Prefer: respond-async</c>) 202
    /// with a status URL to poll. gcore runs off
    /// the session grain's turn either way, so nothing else of the session waits behind it.
    /// </summary>
    public static async Task<IResult> TakeSnapshot(string id, SnapshotBody? body, HttpRequest request, IGrainFactory grains)
    {
        if (body?.Pid is not { } pid) throw ProfilerException.Invalid("Name the 'pid' to snapshot.");
        var session = grains.GetSession(id);
        var started = await session.StartSnapshot(pid);
        // RFC 7240: a client that would rather poll than wait gets its 202 at once.
        var respondAsync = request.Headers["Prefer"].Any(p => p?.Contains("respond-async", StringComparison.OrdinalIgnoreCase) == true);
        var status = await session.GetSnapshot(started.Id, respondAsync ? TimeSpan.Zero : SnapshotAnswerWait);
        var url = $"{request.PathBase}{request.Path.Value!.TrimEnd('/')}/{status.Id}";
        return status.Status switch
        {
            SnapshotState.Done => TypedResults.Created(url, new Snapshot(status.Path!, status.Size!.Value, status.Pid, status.Container)),
            SnapshotState.Failed => throw new ProfilerException(status.Error ?? ProfilerError.Unavailable, status.Reason!),
            _ => TypedResults.Accepted(url, Progress(status, url)),
        };
    }

    /// <summary>Where a snapshot stands: running, done (path and size) or failed (reason).</summary>
    public static async Task<Ok<SnapshotProgress>> GetSnapshot(string id, string snapshotId, HttpRequest request, IGrainFactory grains)
    {
        var status = await grains.GetSession(id).GetSnapshot(snapshotId, TimeSpan.Zero);
        return TypedResults.Ok(Progress(status, $"{request.PathBase}{request.Path}"));
    }

    private static SnapshotProgress Progress(SnapshotStatus status, string url) =>
        new(status.Id, status.Status, status.Pid, status.Container, status.Path, status.Size, status.Reason, url);

    public static async Task<NoContent> Close(string id, IGrainFactory grains)
    {
        await grains.GetSession(id).Close();
        return TypedResults.NoContent();
    }
}
