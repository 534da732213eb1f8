using Microsoft.Extensions.Logging;

namespace CoreFileProfiler.Grains.Cluster;

/// <summary>
/// Cluster-wide views for any gateway: asks every live node's profiler at once, each within a
/// time limit, so one node that is down or slow costs the answer its part, never the whole.
/// </summary>
public sealed class ClusterOverview(ClusterNodes nodes, IGrainFactory grains, ILogger<ClusterOverview> logger)
{
    private static readonly TimeSpan NodeTimeLimit = TimeSpan.FromSeconds(5);

    /// <summary>Every node; a node without a status is down or did not answer.</summary>
    public async Task<IReadOnlyList<NodeReport>> NodesAsync(CancellationToken cancellationToken)
    {
        var all = nodes.Current();
        var answers = await AskEachAsync(all, node => grains.GetNodeProfiler(node).GetStatus(), cancellationToken);
        return all.Select(n => new NodeReport(n.Name, answers.GetValueOrDefault(n.Name))).ToList();
    }

    public Task<ClusterAnswer<SessionSummary>> SessionsAsync(CancellationToken cancellationToken) =>
        GatherAsync(node => node.ListSessions(), cancellationToken);

    public Task<ClusterAnswer<CoreSummary>> CoresAsync(CoreFilter filter, CancellationToken cancellationToken) =>
        GatherAsync(node => node.ListCores(filter), cancellationToken);

    /// <summary>Every node's crash groups, merged by (namespace, container, signature).</summary>
    public async Task<ClusterAnswer<CrashGroup>> CrashesAsync(CancellationToken cancellationToken)
    {
        var answer = await GatherAsync(node => node.ListCrashGroups(), cancellationToken);
        return answer with { Items = Crashes.ClusterCrashGroups.Merge(answer.Items) };
    }

    private async Task<ClusterAnswer<T>> GatherAsync<T>(Func<INodeProfilerGrain, Task<IReadOnlyList<T>>> ask, CancellationToken cancellationToken)
    {
        var all = nodes.Current();
        var answers = await AskEachAsync(all, node => ask(grains.GetNodeProfiler(node)), cancellationToken);
        return new ClusterAnswer<T>(
            all.Where(n => answers.ContainsKey(n.Name)).SelectMany(n => answers[n.Name]).ToList(),
            all.Where(n => !answers.ContainsKey(n.Name)).Select(n => n.Name).ToList());
    }

    /// <summary>The answers of the nodes that are up and answered in time, by node.</summary>
    private async Task<Dictionary<string, T>> AskEachAsync<T>(IReadOnlyList<ClusterNode> all, Func<string, Task<T>> ask, CancellationToken cancellationToken)
    {
        var asked = all.Where(n => n.IsUp).Select(async n =>
        {
            try
            {
                return (n.Name, Answer: await ask(n.Name).WaitAsync(NodeTimeLimit, cancellationToken), Answered: true);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                logger.LogWarning(e, "Node {Node} did not answer a cluster query", n.Name);
                return (n.Name, Answer: default(T)!, Answered: false);
            }
        });
        return (await Task.WhenAll(asked)).Where(a => a.Answered).ToDictionary(a => a.Name, a => a.Answer);
    }
}
