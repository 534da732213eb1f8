using Microsoft.Extensions.Logging;

namespace CoreFileProfiler.Grains.Cluster;

/// <summary>
/// Which other node keeps an object by build-id (docs/architecture.md, Build-id store): every live node but
/// this one is asked at once, each within <see cref="NodeTimeLimit"/>; a node that is down or slow costs the
/// lookup its answer, never more. Nodes that keep objects of different content under one build-id (a hostile
/// program can claim any) get none served, as on one node.
/// </summary>
public sealed partial class ClusterKeptObjects(ClusterNodes nodes, IGrainFactory grains, ILogger<ClusterKeptObjects> logger)
{
    /// <summary>Short: a debugger waits on this for every library it lacks, and most ids are kept nowhere.</summary>
    public static readonly TimeSpan NodeTimeLimit = TimeSpan.FromSeconds(2);

    /// <summary>The object as a node other than <paramref name="thisNode"/> keeps it, or null when none answers that it does.</summary>
    public async Task<KeptObject?> FindAsync(string buildId, BuildIdKind kind, string thisNode, CancellationToken cancellationToken)
    {
        var answers = await Task.WhenAll(nodes.Current().Where(n => n.IsUp && n.Name != thisNode)
            .Select(n => AskAsync(n.Name, buildId, kind, cancellationToken)));
        var found = answers.OfType<KeptObject>().ToList();
        if (found.Select(f => f.Sha256).Distinct().Count() > 1)
        {
            LogAmbiguous(logger, buildId, string.Join(", ", found.Select(f => f.Node)));
            return null;
        }

        return found.FirstOrDefault();
    }

    private async Task<KeptObject?> AskAsync(string node, string buildId, BuildIdKind kind, CancellationToken cancellationToken)
    {
        try
        {
            return await grains.GetNodeProfiler(node).FindKeptObject(buildId, kind).WaitAsync(NodeTimeLimit, cancellationToken);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning(e, "Node {Node} did not answer a build-id lookup", node);
            return null;
        }
    }

    [LoggerMessage(EventId = 41, Level = LogLevel.Warning, Message = "Build-id {BuildId} is kept with different content on nodes {Nodes}: none is served")]
    private static partial void LogAmbiguous(ILogger logger, string buildId, string nodes);
}
