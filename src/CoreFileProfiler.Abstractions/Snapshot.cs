namespace CoreFileProfiler;

/// <summary>A core taken from a live process with gcore and filed in the core store.</summary>
/// <param name="Path">Absolute path on the node, under the pod/container directory when there is one.</param>
[GenerateSerializer, Immutable]
public sealed record Snapshot([property: Id(0)] string Path, [property: Id(1)] long Size, [property: Id(2)] int Pid, [property: Id(3)] string? Container);
