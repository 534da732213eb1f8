namespace CoreFileProfiler.Silo.NodeIo;

/// <summary>How a debuginfod server names and labels what it serves (docs/architecture.md, Build-id store).</summary>
internal static class BuildIdHeaders
{
    /// <summary>The object's whole size, beside Content-Length (which a range shortens); debuginfod clients read it.</summary>
    public const string Size = "X-DEBUGINFOD-SIZE";

    public const string ContentType = "application/octet-stream";

    /// <summary>The kind as the protocol's path spells it.</summary>
    public static string KindName(BuildIdKind kind) => kind == BuildIdKind.Executable ? "executable" : "debuginfo";

    /// <summary>The kind a path names; null for the protocol's others (<c>source</c>, <c>section</c>) and anything else.</summary>
    public static BuildIdKind? KindOf(string name) => name switch
    {
        "executable" => BuildIdKind.Executable,
        "debuginfo" => BuildIdKind.Debuginfo,
        _ => null,
    };
}
