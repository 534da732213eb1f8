namespace CoreFileProfiler;

/// <summary>What a debuginfod client asks for by build-id (docs/architecture.md, Build-id store).</summary>
[GenerateSerializer]
public enum BuildIdKind
{
    /// <summary>The object itself: an executable or shared library as it was mapped.</summary>
    Executable,

    /// <summary>Its DWARF: a separate debug file, else the object itself when it was not stripped.</summary>
    Debuginfo,
}
