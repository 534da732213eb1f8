using Microsoft.AspNetCore.Diagnostics.HealthChecks;

namespace CoreFileProfiler.Silo.Apis;

public static class HealthApi
{
    /// <summary><c>/healthz</c>: the process serves HTTP. <c>/readyz</c>: and this node's grain answers.</summary>
    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready") });
        return app;
    }
}
