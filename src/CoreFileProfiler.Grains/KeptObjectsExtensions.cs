using CoreFileProfiler.Node.Cores;

namespace CoreFileProfiler.Grains;

public static class KeptObjectsExtensions
{
    /// <summary>The object of that kind, open at its start; null when this node keeps none (docs/architecture.md, Build-id store).</summary>
    public static KeptCopy? Open(this KeptObjects objects, string buildId, BuildIdKind kind) =>
        kind == BuildIdKind.Executable ? objects.OpenExecutable(buildId) : objects.OpenDebugInfo(buildId);
}
