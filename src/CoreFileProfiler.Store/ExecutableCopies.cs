namespace CoreFileProfiler.Store;

/// <summary>
/// The collector's copies of every ELF object a crashed process had mapped (docs/architecture.md, Build-id store):
/// <c>.executables/&lt;build-id&gt;-&lt;sha256&gt;</c>, named by content, so two objects that claim one
/// build-id never share a copy and gdb can check a copy is still what was crashed.
/// </summary>
public static class ExecutableCopies
{
    public const string Folder = ".executables";

    public static string NameFor(string buildId, string sha256) => $"{buildId}-{sha256}";

    /// <summary>The copy's name from metadata, when both parts are lower-case hex of a sane length (no path can be smuggled in); null otherwise.</summary>
    public static string? NameFor(CoreMetadata metadata) =>
        metadata is { BuildId: { } buildId, ExecutableSha256: { } sha256 } && IsBuildId(buildId) && IsSha256(sha256) ? NameFor(buildId, sha256) : null;

    /// <summary>A GNU build-id as the store and the debuginfod protocol spell it: lower-case hex, 2 to 128 digits.</summary>
    public static bool IsBuildId(string value) => IsHex(value, 2, 128);

    public static bool IsSha256(string value) => IsHex(value, 64, 64);

    /// <summary>The build-id and SHA-256 a copy's name holds, or null for any other name (a temporary, a planted file).</summary>
    public static (string BuildId, string Sha256)? ParseName(string name)
    {
        var dash = name.LastIndexOf('-');
        if (dash < 0) return null;
        var (buildId, sha256) = (name[..dash], name[(dash + 1)..]);
        return IsBuildId(buildId) && IsSha256(sha256) ? (buildId, sha256) : null;
    }

    private static bool IsHex(string value, int minLength, int maxLength) =>
        value.Length >= minLength && value.Length <= maxLength && value.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f');
}
