using System.Collections.Concurrent;
using CoreFileProfiler.Grains.Placement;
using Microsoft.Extensions.Hosting;
using Orleans.Runtime.MembershipService.SiloMetadata;

namespace CoreFileProfiler.Grains.Cluster;

/// <summary>
/// Which nodes the cluster has and whether each is up, from Orleans membership. A silo's node
/// comes from its metadata while it lives; that is gone once it dies, so names seen are
/// remembered, and outside Kubernetes the silo's name says its node, so a dead node is shown down.
/// A node stays listed while the membership table keeps any of its silos.
/// </summary>
public sealed class ClusterNodes(IClusterMembershipService membership, ISiloMetadataCache metadata) : BackgroundService
{
    private const string SiloNamePrefix = "node/";
    private static readonly TimeSpan Refresh = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<SiloAddress, string> _seen = new();

    /// <summary>Every node, with its live silo or none, sorted by name.</summary>
    public IReadOnlyList<ClusterNode> Current()
    {
        var members = membership.CurrentSnapshot.Members.Values;
        return members
            .Select(m => (Member: m, Node: NodeOf(m)))
            .Where(m => m.Node is not null)
            .GroupBy(m => m.Node!, StringComparer.Ordinal)
            .Select(g => new ClusterNode(
                g.Key,
                g.Where(m => m.Member.Status == SiloStatus.Active).Select(m => m.Member.SiloAddress).MaxBy(s => s.Generation)))
            .OrderBy(n => n.Name, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Learns the node of every silo while its metadata can be had; forgets silos the table dropped.</summary>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Refresh);
        do
        {
            _ = Current();
            var members = membership.CurrentSnapshot.Members;
            foreach (var gone in _seen.Keys.Where(silo => !members.ContainsKey(silo))) _seen.TryRemove(gone, out _);
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private string? NodeOf(ClusterMember member)
    {
        if (metadata.GetSiloMetadata(member.SiloAddress).Metadata.TryGetValue(NodePlacementDirector.MetadataKey, out var node))
        {
            _seen[member.SiloAddress] = node;
            return node;
        }

        if (_seen.TryGetValue(member.SiloAddress, out var remembered)) return remembered;
        return member.Name?.StartsWith(SiloNamePrefix, StringComparison.Ordinal) == true ? member.Name[SiloNamePrefix.Length..] : null;
    }

    /// <summary>A silo name that says its node even in the membership table's record of a dead silo.</summary>
    /// <remarks>Not in Kubernetes, where Orleans names silos after their pods to clean up after them.</remarks>
    public static string SiloNameFor(string node) => SiloNamePrefix + node;
}
