using CoreFileProfiler.Grains.Placement;
using Orleans.Runtime.MembershipService.SiloMetadata;

namespace Orleans.Hosting;

public static class NodePlacementHostingExtensions
{
    /// <summary>Publishes this silo's node in its metadata and places node-pinned grains by it.</summary>
    public static ISiloBuilder AddNodePlacement(this ISiloBuilder silo, string nodeName) =>
        silo.UseSiloMetadata(new Dictionary<string, string> { [NodePlacementDirector.MetadataKey] = nodeName })
            .AddPlacementDirector<NodePlacementStrategy, NodePlacementDirector>();
}
