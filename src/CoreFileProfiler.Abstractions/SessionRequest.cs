namespace CoreFileProfiler;

/// <summary>A validated processor request: what the user wants to debug and for how long.</summary>
/// <param name="Type">coredump or gcore.</param>
/// <param name="ExpirationSeconds">Lifetime of the session, already checked against the maximum.</param>
/// <param name="FilePath">coredump: a file or directory inside the allowed roots; null for the pod's directory.</param>
/// <param name="Pid">gcore: a host pid, or 0 for the pod's containers.</param>
/// <param name="Namespace">The pod's namespace, when known.</param>
/// <param name="Pod">The pod's name, when known.</param>
/// <param name="Container">The container's name; null means every container of the pod.</param>
/// <param name="TrustedCaller">
/// The gateway that received the call trusts its caller (admin token or <c>Auth:ProcessorCallers</c>), so
/// the target may be wider than one pod. The gateway decides about the caller; the node, which knows its
/// disk and processes, decides whether the target is wider.
/// </param>
[GenerateSerializer, Immutable]
public sealed record SessionRequest(
    [property: Id(0)] SessionType Type,
    [property: Id(1)] int ExpirationSeconds,
    [property: Id(2)] string? FilePath,
    [property: Id(3)] int Pid,
    [property: Id(4)] string? Namespace,
    [property: Id(5)] string? Pod,
    [property: Id(6)] string? Container,
    [property: Id(7)] bool TrustedCaller = false)
{
    /// <summary>A short human description of the target, for lists and logs.</summary>
    public string Target => FilePath ?? (Type == SessionType.Gcore && Pid > 0
        ? $"pid {Pid}"
        : $"{Namespace}/{Pod}" + (Container is null ? "" : $"/{Container}"));
}
