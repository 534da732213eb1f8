namespace CoreFileProfiler.Node.Cores;

/// <summary>A container of a pod, as the core store's directories name it.</summary>
public sealed record PodContainer(string Namespace, string Pod, string Container);
