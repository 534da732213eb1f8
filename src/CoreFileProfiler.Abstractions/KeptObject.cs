namespace CoreFileProfiler;

/// <summary>An object a node keeps by build-id, found and checked on that node (docs/architecture.md, Build-id store).</summary>
/// <param name="Node">The node whose store holds it.</param>
/// <param name="Size">Its bytes.</param>
/// <param name="Modified">Last write time (for Last-Modified).</param>
/// <param name="Sha256">Its content's SHA-256, as its copy is named: nodes that keep one build-id must agree on it.</param>
[GenerateSerializer, Immutable]
public sealed record KeptObject(
    [property: Id(0)] string Node,
    [property: Id(1)] long Size,
    [property: Id(2)] DateTimeOffset Modified,
    [property: Id(3)] string Sha256);
