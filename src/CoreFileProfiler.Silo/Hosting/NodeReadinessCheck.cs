using CoreFileProfiler.Node;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace CoreFileProfiler.Silo.Hosting;

/// <summary>Ready when this node's profiler grain answers: the silo is up and placement works.</summary>
internal sealed class NodeReadinessCheck(IGrainFactory grains, IOptions<ProfilerOptions> options) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var status = await grains.GetNodeProfiler(options.Value.NodeName).GetStatus().WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
            return HealthCheckResult.Healthy($"{status.LiveSessions}/{status.MaxSessions} sessions");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy("The node's profiler grain does not answer.", e);
        }
    }
}
