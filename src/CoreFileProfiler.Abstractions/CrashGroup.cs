namespace CoreFileProfiler;

/// <summary>
/// The crashes of one bug in one container: (<see cref="Namespace"/>, <see cref="Container"/>,
/// <see cref="Signature"/>). A node reports its own groups; the cluster API merges them by that key.
/// </summary>
/// <param name="Pod">The pod of the latest crash.</param>
/// <param name="Count">Every crash of the group, including those whose core was not kept.</param>
/// <param name="Summary">The latest report's summary line.</param>
/// <param name="Frames">The latest report's crashing-thread frames.</param>
/// <param name="Cores">The group's cores still on disk (at most <c>Profiler:CoresPerSignature</c> per node), oldest first.</param>
/// <param name="Nodes">Every node the group crashed on.</param>
/// <param name="PerHour">Crashes per UTC hour over the last 24 hours, oldest first; the last entry is the current hour.</param>
[GenerateSerializer, Immutable]
public sealed record CrashGroup(
    [property: Id(0)] string Signature,
    [property: Id(1)] string? Namespace,
    [property: Id(2)] string? Container,
    [property: Id(3)] string? Pod,
    [property: Id(4)] string? Image,
    [property: Id(5)] long Count,
    [property: Id(6)] DateTimeOffset FirstSeen,
    [property: Id(7)] DateTimeOffset LastSeen,
    [property: Id(8)] string Summary,
    [property: Id(9)] int? Signal,
    [property: Id(10)] IReadOnlyList<CrashFrame> Frames,
    [property: Id(11)] IReadOnlyList<CrashCore> Cores,
    [property: Id(12)] IReadOnlyList<string> Nodes,
    [property: Id(13)] IReadOnlyList<int> PerHour);
