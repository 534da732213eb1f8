namespace CoreFileProfiler;

public static class GrainFactoryExtensions
{
    public static INodeProfilerGrain GetNodeProfiler(this IGrainFactory grains, string node) =>
        grains.GetGrain<INodeProfilerGrain>(node);

    /// <summary>The session's grain, or NotFound for an id that cannot be one of ours.</summary>
    public static IDebugSessionGrain GetSession(this IGrainFactory grains, string sessionId) =>
        SessionId.TryGetNode(sessionId, out var node)
            ? grains.GetGrain<IDebugSessionGrain>(SessionId.GrainKey(node, sessionId))
            : throw ProfilerException.NotFound("No such session.");
}
