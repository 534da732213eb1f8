namespace CoreFileProfiler.Store;

/// <summary>
/// The collector's copies of crashed executables (docs/architecture.md, Core store):
/// <c>.executables/&lt;build-id&gt;-&lt;sha256&gt;</c>, named by content, so two programs that claim one
/// build-id never share a copy and gdb can check a copy is still what was crashed.
/// </summary>
public static class ExecutableCopies
{
    public const string Folder = ".executables";

    public static string NameFor(string buildId, string sha256) => $"{buildId}-{sha256}";

    /// <summary>The copy's name from metadata, when both parts are lower-case hex of a sane length (no path can be smuggled in); null otherwise.</summary>
    public static string? NameFor(CoreMetadata metadata) =>
        metadata is { BuildId: { } buildId, ExecutableSha256: { } sha256 } && IsHex(buildId, 2, 128) && IsHex(sha256, 64, 64) ? NameFor(buildId, sha256) : null;

    private static bool IsHex(string value, int minLength, int maxLength) =>
        value.Length >= minLength && value.Length <= maxLength && value.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f');
}
