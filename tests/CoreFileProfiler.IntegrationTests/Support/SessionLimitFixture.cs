namespace CoreFileProfiler.IntegrationTests.Support;

/// <summary>
/// A silo of its own whose node admits only <see cref="MaxSessions"/> live sessions, so the limit is reached
/// with a handful of calls; with the cluster fixture's admin token, so /api/nodes shows the node's count.
/// </summary>
public sealed class SessionLimitFixture() : SiloFixture([$"--Profiler:MaxSessions={MaxSessions}", $"--Auth:AdminToken={ClusterFixture.AdminToken}"])
{
    public const int MaxSessions = 4;
}
