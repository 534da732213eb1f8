using System.Diagnostics;
using CoreFileProfiler.Node;
using CoreFileProfiler.Node.Telemetry;
using CoreFileProfiler.Silo.Hosting;
using CoreFileProfiler.Silo.Processor;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace CoreFileProfiler.Silo.Apis;

/// <summary>The KubeDiag processor endpoint (docs/architecture.md, HTTP contract).</summary>
public static class ProcessorApi
{
    public const string Path = "/processor/coreFileProfiler";
    public const string ResultKey = "diagnoser.runtime.core_file_profiler.result.endpoint";

    public static IEndpointRouteBuilder MapProcessorApi(this IEndpointRouteBuilder app)
    {
        app.MapPost(Path, OpenSession)
            .AddEndpointFilter(AllowedOrigins.Require("Processor calls"))
            .WithSummary("Opens a debug session (KubeDiag processor call); the body is a JSON object of strings.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status408RequestTimeout)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        // Any other method: 405 with Allow: POST (routing alone would answer an empty 405).
        app.MapMethods(Path, ["GET", "HEAD", "PUT", "PATCH", "DELETE", "OPTIONS"], MethodNotAllowed).ExcludeFromDescription();
        return app;
    }

    /// <summary>
    /// Opens a session on the named node (default: this one) and returns its URL. This gateway knows the
    /// caller, so it says whether the caller is trusted; the node, which knows the target, refuses a target
    /// wider than one pod to anyone else (docs/architecture.md, Trust model).
    /// </summary>
    public static async Task<Ok<Dictionary<string, string>>> OpenSession(
        HttpContext context, IGrainFactory grains, IOptions<ProfilerOptions> options, PublicUrls urls, AdminAccess admin, ProcessorCallers callers,
        ProfilerMetrics metrics, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var outcome = "error";
        try
        {
            var call = await ProcessorRequestReader.ReadAsync(context.Request, options.Value, cancellationToken);
            var trusted = admin.IsAllowed(context) || callers.Contains(context.Connection.RemoteIpAddress);
            var node = call.Node ?? options.Value.NodeName;
            ProfilerExceptionHandler.RecordNode(context, node); // so "unavailable" names it
            var id = await grains.GetNodeProfiler(node).OpenSession(call.Request with { TrustedCaller = trusted });
            outcome = "ok";
            return TypedResults.Ok(new Dictionary<string, string> { [ResultKey] = urls.Session(id) });
        }
        catch (Exception e)
        {
            // The label of the status the exception handler is about to answer.
            outcome = ErrorClassifier.Classify(e, clientLeft: cancellationToken.IsCancellationRequested).Outcome;
            throw;
        }
        finally
        {
            metrics.ProcessorCall(outcome, Stopwatch.GetElapsedTime(started));
        }
    }

    private static ProblemHttpResult MethodNotAllowed(HttpResponse response)
    {
        response.Headers.Allow = "POST";
        return TypedResults.Problem(
            statusCode: StatusCodes.Status405MethodNotAllowed,
            detail: $"{Path} accepts only POST with a JSON body of parameters.");
    }
}
