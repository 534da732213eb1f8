namespace CoreFileProfiler;

/// <summary>A validated processor request: what the user wants to debug and for how long.</summary>
/// <param name="Type">coredump or gcore.</param>
/// <param name="ExpirationSeconds">Lifetime of the session, already checked against the maximum.</param>
/// <param name="FilePath">coredump: a file or directory inside the allowed roots; null for the pod's directory.</param>
/// <param name="Pid">gcore: a host pid, or 0 for the pod's containers.</param>
/// <param name="Namespace">The pod's namespace, when known.</param>
/// <param name="Pod">The pod's name, when known.</param>
/// <param name="Container">The container's name; null means every container of the pod.</param>
[GenerateSerializer, Immutable]
public sealed record SessionRequest(
    [property: Id(0)] SessionType Type,
    [property: Id(1)] int ExpirationSeconds,
    [property: Id(2)] string? FilePath,
    [property: Id(3)] int Pid,
    [property: Id(4)] string? Namespace,
    [property: Id(5)] string? Pod,
    [property: Id(6)] string? Container)
{
    /// <summary>A short human description of the target, for lists and logs.</summary>
    public string Target => FilePath ?? (Type == SessionType.Gcore && Pid > 0
        ? $"pid {Pid}"
        : $"{Namespace}/{Pod}" + (Container is null ? "" : $"/{Container}"));
}
