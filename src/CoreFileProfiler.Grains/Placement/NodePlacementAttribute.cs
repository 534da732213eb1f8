using Orleans.Placement;

namespace CoreFileProfiler.Grains.Placement;

/// <summary>Pins a grain to the silo of the node named by its key; see <see cref="NodePlacementDirector"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class NodePlacementAttribute() : PlacementAttribute(NodePlacementStrategy.Instance);
