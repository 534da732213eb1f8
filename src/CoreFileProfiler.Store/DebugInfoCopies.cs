namespace CoreFileProfiler.Store;

/// <summary>
/// Separate debug files the crashed container had for its objects (<c>/usr/lib/debug/.build-id/…</c>,
/// <c>.gnu_debuglink</c>), kept as <c>.debuginfo/&lt;build-id&gt;-&lt;sha256&gt;</c> by the same naming rule as
/// <see cref="ExecutableCopies"/> (docs/architecture.md, Build-id store).
/// </summary>
public static class DebugInfoCopies
{
    public const string Folder = ".debuginfo";

    public static string NameFor(string buildId, string sha256) => ExecutableCopies.NameFor(buildId, sha256);
}
