using Microsoft.Extensions.Logging;

namespace CoreFileProfiler.Grains.Cluster;

/// <summary>
/// Which other node keeps an object by build-id (docs/architecture.md, Build-id store): every live node but
/// this one is asked at once, each within <see cref="NodeTimeLimit"/>, and the first that has it wins; a node
/// that is down or slow costs the lookup its answer, never more.
/// </summary>
public sealed class ClusterKeptObjects(ClusterNodes nodes, IGrainFactory grains, ILogger<ClusterKeptObjects> logger)
{
    /// <summary>Short: a debugger waits on this for every library it lacks, and most ids are kept nowhere.</summary>
    public static readonly TimeSpan NodeTimeLimit = TimeSpan.FromSeconds(2);

    /// <summary>The object as a node other than <paramref name="thisNode"/> keeps it, or null when none answers that it does.</summary>
    public async Task<KeptObject?> FindAsync(string buildId, BuildIdKind kind, string thisNode, CancellationToken cancellationToken)
    {
        var asked = nodes.Current().Where(n => n.IsUp && n.Name != thisNode)
            .Select(n => AskAsync(n.Name, buildId, kind, cancellationToken)).ToList();
        while (asked.Count > 0)
        {
            var answered = await Task.WhenAny(asked);
            asked.Remove(answered);
            if (await answered is { } found) return found; // the others' answers are dropped as they come
        }

        return null;
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
}
