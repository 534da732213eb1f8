namespace CoreFileProfiler.Grains.Placement;

/// <summary>Places a grain on the silo of the node its key names (<c>node</c> or <c>node/…</c>).</summary>
[GenerateSerializer, Immutable]
public sealed class NodePlacementStrategy : PlacementStrategy
{
    internal static readonly NodePlacementStrategy Instance = new();
}
