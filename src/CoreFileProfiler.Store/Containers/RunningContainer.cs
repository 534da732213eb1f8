namespace CoreFileProfiler.Store.Containers;

/// <summary>A running container of a pod on this node.</summary>
public sealed record RunningContainer(string Id, string Namespace, string Pod, string Name);
