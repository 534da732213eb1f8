using Microsoft.AspNetCore.Diagnostics;
using Orleans.Runtime;

namespace CoreFileProfiler.Silo.Hosting;

/// <summary>
/// Turns refusals into <c>application/problem+json</c> with the status docs/architecture.md, HTTP contract gives them. A
/// node whose silo is gone or unreachable is a 503, never a hang or a 500.
/// </summary>
internal sealed class ProfilerExceptionHandler(IProblemDetailsService problems, ILogger<ProfilerExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        var (status, detail) = exception switch
        {
            ProfilerException e => (StatusOf(e.Error), e.Message),
            OrleansMessageRejectionException or SiloUnavailableException or TimeoutException =>
                (StatusCodes.Status503ServiceUnavailable, $"{OwningNode(context)} is unavailable; try again shortly."),
            BadHttpRequestException e => (e.StatusCode, e.Message),
            _ => (0, ""),
        };
        if (status == 0) return false; // a bug: the default handler answers 500 and logs it

        if (status == StatusCodes.Status503ServiceUnavailable)
        {
            logger.LogWarning(exception, "Refused {Method} {Path}: {Detail}", context.Request.Method, context.Request.Path, detail);
        }

        context.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            Exception = exception,
            ProblemDetails = { Status = status, Detail = detail },
        });
    }

    /// <summary>A session's id names its node (the handler sees the failed request's route values through its feature).</summary>
    private static string OwningNode(HttpContext context) =>
        SessionId.TryGetNode(context.Features.Get<IExceptionHandlerFeature>()?.RouteValues?["id"] as string, out var node)
            ? $"Node '{node}'"
            : "The node that owns this resource";

    private static int StatusOf(ProfilerError error) => error switch
    {
        ProfilerError.InvalidParameter => StatusCodes.Status400BadRequest,
        ProfilerError.Forbidden => StatusCodes.Status403Forbidden,
        ProfilerError.NotFound => StatusCodes.Status404NotFound,
        ProfilerError.Gone => StatusCodes.Status410Gone,
        ProfilerError.Unavailable => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status500InternalServerError,
    };
}
