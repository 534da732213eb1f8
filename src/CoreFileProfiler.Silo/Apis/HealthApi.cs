using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace CoreFileProfiler.Silo.Apis;

public static class HealthApi
{
    /// <summary><c>/healthz</c>: the process serves HTTP. <c>/readyz</c>: and this node's grain answers.</summary>
    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", () => TypedResults.Text("Healthy"))
            .WithSummary("Liveness: the process serves HTTP.").Produces(StatusCodes.Status200OK, contentType: "text/plain");
        app.MapGet("/readyz", Ready)
            .WithSummary("Readiness: this node's profiler answers.").Produces(StatusCodes.Status200OK, contentType: "text/plain")
            .Produces(StatusCodes.Status503ServiceUnavailable, contentType: "text/plain");
        return app;
    }

    public static async Task<IResult> Ready(HealthCheckService health, CancellationToken cancellationToken)
    {
        var report = await health.CheckHealthAsync(check => check.Tags.Contains("ready"), cancellationToken);
        return report.Status == HealthStatus.Healthy
            ? TypedResults.Text("Healthy")
            : TypedResults.Text("Unhealthy", statusCode: StatusCodes.Status503ServiceUnavailable);
    }
}
