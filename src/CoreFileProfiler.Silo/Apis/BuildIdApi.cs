using CoreFileProfiler.Silo.Hosting;
using CoreFileProfiler.Silo.NodeIo;
using CoreFileProfiler.Store;

namespace CoreFileProfiler.Silo.Apis;

/// <summary>
/// The debuginfod protocol over the cluster's build-id store (docs/architecture.md, Build-id store):
/// <c>/buildid/&lt;id&gt;/executable</c> and <c>/buildid/&lt;id&gt;/debuginfo</c>, for clients on this machine or
/// with the admin token, so <c>DEBUGINFOD_URLS=http://&lt;service&gt;:8090/</c> works for gdb, eu-stack and
/// debuginfod-find.
/// </summary>
public static class BuildIdApi
{
    public static IEndpointRouteBuilder MapBuildIdApi(this IEndpointRouteBuilder app)
    {
        app.MapMethods("/buildid/{id}/{kind}", [HttpMethods.Get, HttpMethods.Head], Serve)
            .AddEndpointFilter(RequireLocalOrAdmin)
            .WithSummary("An object kept by build-id, in the debuginfod protocol: kind 'executable' or 'debuginfo'; Range requests resume.")
            .Produces(StatusCodes.Status200OK, contentType: BuildIdHeaders.ContentType)
            .Produces(StatusCodes.Status206PartialContent, contentType: BuildIdHeaders.ContentType)
            .Produces(StatusCodes.Status416RangeNotSatisfiable)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable); // the node holding it went away mid-read
        return app;
    }

    /// <summary>404 for what is no build-id or no kind we serve, before anything is looked up.</summary>
    internal static async Task<IResult> Serve(string id, string kind, HttpContext context, KeptObjectIo io)
    {
        if (!ExecutableCopies.IsBuildId(id) || BuildIdHeaders.KindOf(kind) is not { } known)
        {
            throw ProfilerException.NotFound("Not a build-id (lower-case hex) and a kind this server has ('executable', 'debuginfo').");
        }

        return await io.ServeAsync(context, id, known);
    }

    /// <summary>401 with <c>WWW-Authenticate: Bearer</c> unless the caller is on this machine or has the admin token.</summary>
    public static async ValueTask<object?> RequireLocalOrAdmin(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var access = context.HttpContext.RequestServices.GetRequiredService<AdminAccess>();
        if (access.IsLocalOrAllowed(context.HttpContext)) return await next(context);
        context.HttpContext.Response.Headers.WWWAuthenticate = "Bearer";
        return TypedResults.Problem(
            statusCode: StatusCodes.Status401Unauthorized,
            detail: "Only clients on this node, or with the admin token ('Authorization: Bearer <Auth:AdminToken>'), may read the build-id store.");
    }
}
