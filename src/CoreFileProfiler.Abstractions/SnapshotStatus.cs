namespace CoreFileProfiler;

/// <summary>A snapshot a session runs or ran; what <c>GET /sessions/{id}/snapshots/{snapshotId}</c> reports.</summary>
/// <param name="Id">Unique within the session; part of the status URL.</param>
/// <param name="Path">The new core's absolute path on the node, once <see cref="SnapshotState.Done"/>.</param>
/// <param name="Size">The new core's size, once <see cref="SnapshotState.Done"/>.</param>
/// <param name="Reason">Why it failed, once <see cref="SnapshotState.Failed"/>.</param>
/// <param name="Error">The refusal a failure maps to (a gateway answering the POST throws it).</param>
[GenerateSerializer, Immutable]
public sealed record SnapshotStatus(
    [property: Id(0)] string Id,
    [property: Id(1)] SnapshotState Status,
    [property: Id(2)] int Pid,
    [property: Id(3)] string? Container,
    [property: Id(4)] string? Path = null,
    [property: Id(5)] long? Size = null,
    [property: Id(6)] string? Reason = null,
    [property: Id(7)] ProfilerError? Error = null);
