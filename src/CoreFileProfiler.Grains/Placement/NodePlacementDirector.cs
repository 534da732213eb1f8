using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Orleans.Runtime.MembershipService.SiloMetadata;
using Orleans.Runtime.Placement;

namespace CoreFileProfiler.Grains.Placement;

/// <summary>
/// Chooses the silo whose metadata names the grain's node. A node no live silo claims fails at
/// once with "node unavailable"; a node whose silo is still joining (its grain types not yet in
/// the cluster manifest) is retried briefly, because the manifest lags membership.
/// </summary>
internal sealed class NodePlacementDirector(
    ISiloMetadataCache metadata,
    IClusterMembershipService membership,
    ILogger<NodePlacementDirector> logger) : IPlacementDirector
{
    public const string MetadataKey = "k8s.node";

    private static readonly TimeSpan JoinGrace = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(50);

    public async Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var node = NodeName.OfGrainKey(target.GrainIdentity.Key.ToString()!);
        var waited = Stopwatch.StartNew();
        while (true)
        {
            // A restarted node can briefly have two silos; the newest generation is the live one.
            var silo = context.GetCompatibleSilos(target)
                .Where(s => NodeOf(s) == node)
                .MaxBy(s => s.Generation);
            if (silo is not null) return silo;

            if (!MayBeJoining(node) || waited.Elapsed > JoinGrace)
            {
                logger.LogWarning("No live silo for node {Node}; refusing a {GrainType}", node, target.GrainIdentity.Type);
                throw ProfilerException.Unavailable($"Node '{node}' is unavailable: no profiler silo of the cluster runs there.");
            }

            await Task.Delay(Poll);
        }
    }

    /// <summary>A live member claims the node, or has not published its metadata yet.</summary>
    private bool MayBeJoining(string node) =>
        membership.CurrentSnapshot.Members.Values
            .Where(m => m.Status is SiloStatus.Active or SiloStatus.Joining)
            .Select(m => NodeOf(m.SiloAddress))
            .Any(n => n is null || n == node);

    private string? NodeOf(SiloAddress silo) =>
        metadata.GetSiloMetadata(silo).Metadata.TryGetValue(MetadataKey, out var node) ? node : null;
}
