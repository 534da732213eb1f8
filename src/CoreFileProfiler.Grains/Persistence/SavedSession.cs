namespace CoreFileProfiler.Grains.Persistence;

/// <summary>
/// A live session as its storage keeps it: what was asked for and until when, and its terminals' ids.
/// Removed when the session ends. The request is all the session re-reads its target from, so a
/// restored session lists cores and processes again exactly as a new one would.
/// </summary>
/// <param name="ProcessIdentity">For a pid target, the process it was opened for (<c>ProcessTable.IdentityOf</c>), so a pid given to another process since is not taken for it.</param>
[GenerateSerializer]
public sealed record SavedSession(
    [property: Id(0)] SessionRequest Request,
    [property: Id(1)] DateTimeOffset CreatedAt,
    [property: Id(2)] DateTimeOffset ExpiresAt,
    [property: Id(3)] List<SavedTerminal> Terminals,
    [property: Id(4)] string? ProcessIdentity);
