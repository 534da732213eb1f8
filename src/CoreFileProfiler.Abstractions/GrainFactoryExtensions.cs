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

    /// <summary>The terminal a watch id shows, asked of the node that issued it; NotFound for an id that cannot be one of ours.</summary>
    public static Task<TerminalAddress> FindWatch(this IGrainFactory grains, string watchId) =>
        WatchId.TryGetNode(watchId, out var node)
            ? grains.GetNodeProfiler(node).FindWatch(watchId)
            : throw ProfilerException.NotFound("No such watch link.");
}
