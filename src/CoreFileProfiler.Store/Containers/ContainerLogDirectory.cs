namespace CoreFileProfiler.Store.Containers;

/// <summary>
/// The kubelet's <c>/var/log/containers/&lt;pod&gt;_&lt;namespace&gt;_&lt;container&gt;-&lt;id&gt;.log</c> links: pod,
/// namespace and container names by container id, on any runtime.
/// </summary>
public static class ContainerLogDirectory
{
    public static IEnumerable<RunningContainer> Read(string logRoot)
    {
        var directory = Path.Join(logRoot, "containers");
        if (!Directory.Exists(directory)) yield break;
        foreach (var file in Directory.EnumerateFileSystemEntries(directory, "*.log"))
        {
            if (Parse(Path.GetFileName(file)) is { } container) yield return container;
        }
    }

    public static RunningContainer? Parse(string fileName)
    {
        if (!fileName.EndsWith(".log", StringComparison.Ordinal) || fileName.Length < 64 + 6) return null;
        var stem = fileName[..^4];
        var id = stem[^64..];
        if (stem[^65] != '-' || !id.All(char.IsAsciiHexDigitLower)) return null;
        // Kubernetes names never contain '_', so the three parts split cleanly.
        var names = stem[..^65].Split('_');
        return names is [var pod, var ns, var container] && KubernetesNames.IsSubdomain(pod) && KubernetesNames.IsLabel(ns) && KubernetesNames.IsLabel(container)
            ? new RunningContainer(id, ns, pod, container)
            : null;
    }
}
