using Microsoft.AspNetCore.Diagnostics;

namespace CoreFileProfiler.Silo.Hosting;

/// <summary>
/// Answers every failed request with the <c>application/problem+json</c> that <see cref="ErrorClassifier"/>
/// gives it (docs/architecture.md, HTTP contract): a node whose silo is gone or unreachable is a 503, never a
/// hang; a bug is a logged 500 whose detail says nothing of the request.
/// </summary>
internal sealed class ProfilerExceptionHandler(IProblemDetailsService problems, ILogger<ProfilerExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        var error = ErrorClassifier.Classify(exception, OwningNode(context), context.RequestAborted.IsCancellationRequested);
        logger.Log(error.LogLevel, exception, "{Method} {Path} answered {Status}: {Detail}", context.Request.Method, context.Request.Path, error.Status, error.Detail);
        context.Response.StatusCode = error.Status;
        if (error.ClientLeft) return true; // nobody to answer

        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            Exception = exception,
            ProblemDetails = { Status = error.Status, Detail = error.Detail },
        });
    }

    private static readonly object NodeKey = new();

    /// <summary>Names the node a request is for where its route does not: a processor call names it in its body.</summary>
    public static void RecordNode(HttpContext context, string node) => context.Items[NodeKey] = node;

    /// <summary>A session's id names its node (the handler sees the failed request's route values through its feature).</summary>
    private static string? OwningNode(HttpContext context) =>
        SessionId.TryGetNode(context.Features.Get<IExceptionHandlerFeature>()?.RouteValues?["id"] as string, out var node)
            ? node
            : context.Items[NodeKey] as string;
}
