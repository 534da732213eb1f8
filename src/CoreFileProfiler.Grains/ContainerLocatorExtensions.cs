using CoreFileProfiler.Node.Containers;
using CoreFileProfiler.Node.Processes;
using CoreFileProfiler.Store.Containers;

namespace CoreFileProfiler.Grains;

internal static class ContainerLocatorExtensions
{
    /// <summary>
    /// The processes a gcore request means: the one pid, or every process of the pod's running containers.
    /// A pid in no container (the kubelet, the node's own daemons) only for a trusted caller; checked on
    /// every resolve, because a pid can be reused by a host process after the container's one exits.
    /// </summary>
    public static async Task<List<(int Pid, RunningContainer? Container)>> ResolveProcessesAsync(
        this ContainerLocator locator, ProcessTable processes, SessionRequest request)
    {
        if (request.Pid > 0)
        {
            if (!processes.Exists(request.Pid)) throw ProfilerException.NotFound($"pid {request.Pid} does not exist on this node.");
            var owner = await locator.ContainerOfAsync(request.Pid);
            return owner is not null || request.TrustedCaller
                ? [(request.Pid, owner)]
                : throw ProfilerException.Forbidden($"pid {request.Pid} belongs to no container on this node; a process outside the pods {TrustedCallerRule.Needs}.");
        }

        var containers = await locator.FindAsync(request.Namespace!, request.Pod!, request.Container);
        if (containers.Count == 0)
        {
            throw ProfilerException.NotFound(request.Container is null
                ? $"No running container of pod {request.Namespace}/{request.Pod} on this node."
                : $"No running container {request.Container} of pod {request.Namespace}/{request.Pod} on this node.");
        }

        var found = new List<(int, RunningContainer?)>();
        foreach (var container in containers)
        {
            found.AddRange((await locator.PidsOfAsync(container)).Select(pid => (pid, (RunningContainer?)container)));
        }

        return found;
    }
}
