namespace CoreFileProfiler;

/// <summary>A live process a gcore session offers.</summary>
/// <param name="Container">The pod's container it runs in, when it is one.</param>
[GenerateSerializer, Immutable]
public sealed record SessionProcess(
    [property: Id(0)] int Pid,
    [property: Id(1)] int Ppid,
    [property: Id(2)] string User,
    [property: Id(3)] string State,
    [property: Id(4)] string Command,
    [property: Id(5)] string? Container);
