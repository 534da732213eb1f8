namespace CoreFileProfiler;

/// <summary>Which cores to list; a null field matches anything.</summary>
[GenerateSerializer, Immutable]
public sealed record CoreFilter(
    [property: Id(0)] string? Namespace,
    [property: Id(1)] string? Pod,
    [property: Id(2)] string? Container)
{
    public bool Matches(string? ns, string? pod, string? container) =>
        (Namespace is null || Namespace == ns) && (Pod is null || Pod == pod) && (Container is null || Container == container);
}
