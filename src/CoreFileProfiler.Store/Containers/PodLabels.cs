namespace CoreFileProfiler.Store.Containers;

/// <summary>
/// The labels the kubelet puts on a pod's containers in Docker, by which the Docker Engine tells
/// whose a container is. Both the collector (one request over the socket) and Node (Docker.DotNet)
/// read them; names that are not Kubernetes names are refused here, before they reach a path.
/// </summary>
public static class PodLabels
{
    public const string Namespace = "io.kubernetes.pod.namespace";
    public const string Pod = "io.kubernetes.pod.name";
    public const string Container = "io.kubernetes.container.name";

    /// <summary>The pod container <paramref name="id"/> is, by its labels; null when one is missing or no valid name.</summary>
    public static RunningContainer? ContainerOf(string id, Func<string, string?> label)
    {
        var (ns, pod, container) = (label(Namespace), label(Pod), label(Container));
        return KubernetesNames.IsLabel(ns) && KubernetesNames.IsSubdomain(pod) && KubernetesNames.IsLabel(container)
            ? new RunningContainer(id, ns!, pod!, container!)
            : null;
    }
}
