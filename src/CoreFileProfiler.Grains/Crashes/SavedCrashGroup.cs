namespace CoreFileProfiler.Grains.Crashes;

/// <summary>
/// A crash group as the node keeps it in the store (<c>.crashes/&lt;key&gt;.json</c>), so counts and
/// kept cores outlive the silo. <see cref="CrashGroup"/> is what it is shown as.
/// </summary>
/// <param name="Cores">Cores kept on disk, oldest first: the first crash's and the newest.</param>
/// <param name="Hours">Crashes per UTC hour (hours since the Unix epoch), the last 24 only.</param>
/// <param name="Uncored">Crashes whose core the budget removed, oldest first: their metadata and reports stay, this many at most.</param>
internal sealed record SavedCrashGroup(
    string Signature,
    string? Namespace,
    string? Container,
    string? Pod,
    string? Image,
    long Count,
    DateTimeOffset FirstSeen,
    DateTimeOffset LastSeen,
    string Summary,
    int? Signal,
    IReadOnlyList<CrashFrame> Frames,
    IReadOnlyList<CrashCore> Cores,
    IReadOnlyDictionary<long, int> Hours,
    IReadOnlyList<string> Uncored);
