using CoreFileProfiler.Node.Processes;
using CoreFileProfiler.Store.Containers;
using Microsoft.Extensions.Options;

namespace CoreFileProfiler.Node.Containers;

/// <summary>
/// Finds the running containers of a pod and their processes on this node, on any runtime:
/// names from Docker's labels and/or the kubelet's <c>/var/log/containers</c> links, processes
/// from Docker's <c>top</c> and/or each process's cgroup. Either source alone is enough; when
/// both answer they are merged by container id. What was found is reused for a moment, so a
/// page load or a keystroke never rescans /proc.
/// </summary>
public sealed class ContainerLocator(DockerContainers docker, ProcessTable processes, IOptions<ProfilerOptions> options, TimeProvider time) : IDisposable
{
    private static readonly TimeSpan Fresh = TimeSpan.FromSeconds(2);

    private readonly SemaphoreSlim _refreshing = new(1, 1);
    private NodeContainers? _current;

    private sealed record NodeContainers(DateTimeOffset At, IReadOnlyList<RunningContainer> Containers, ILookup<string, int> PidsByContainer, bool FromDocker);

    /// <summary>Every running pod container on this node.</summary>
    public async Task<IReadOnlyList<RunningContainer>> ListAsync(CancellationToken cancellationToken = default) =>
        (await CurrentAsync(cancellationToken)).Containers;

    /// <summary>The running containers of a pod (one, or all when <paramref name="container"/> is null).</summary>
    public async Task<IReadOnlyList<RunningContainer>> FindAsync(string ns, string pod, string? container, CancellationToken cancellationToken = default)
    {
        var current = await CurrentAsync(cancellationToken);
        return current.Containers.Where(c => c.Namespace == ns && c.Pod == pod && (container is null || c.Name == container)).ToList();
    }

    /// <summary>The container a host process runs in, if it is a pod's.</summary>
    public async Task<RunningContainer?> ContainerOfAsync(int pid, CancellationToken cancellationToken = default)
    {
        var id = processes.ContainerIdOf(pid);
        return id is null ? null : (await CurrentAsync(cancellationToken)).Containers.FirstOrDefault(c => c.Id == id);
    }

    /// <summary>Host pids of a container's processes, now.</summary>
    public async Task<IReadOnlyList<int>> PidsOfAsync(RunningContainer container, CancellationToken cancellationToken = default)
    {
        var current = await CurrentAsync(cancellationToken);
        if (current.FromDocker && await docker.PidsAsync(container.Id, cancellationToken) is { } pids) return pids;
        return current.PidsByContainer[container.Id].ToList();
    }

    private async Task<NodeContainers> CurrentAsync(CancellationToken cancellationToken)
    {
        if (_current is { } fresh && time.GetUtcNow() - fresh.At < Fresh) return fresh;
        await _refreshing.WaitAsync(cancellationToken);
        try
        {
            if (_current is { } again && time.GetUtcNow() - again.At < Fresh) return again;
            return _current = await ScanAsync(cancellationToken);
        }
        finally
        {
            _refreshing.Release();
        }
    }

    private async Task<NodeContainers> ScanAsync(CancellationToken cancellationToken)
    {
        var fromDocker = await docker.ListAsync(cancellationToken);
        var pidsByContainer = processes.AllPids()
            .Select(pid => (Pid: pid, Container: processes.ContainerIdOf(pid)))
            .Where(p => p.Container is not null)
            .ToLookup(p => p.Container!, p => p.Pid);
        // A log link outlives its container; only one with processes is running.
        var fromLogs = ContainerLogDirectory.Read(options.Value.LogRoot).Where(c => pidsByContainer.Contains(c.Id));
        var containers = (fromDocker ?? []).Concat(fromLogs).DistinctBy(c => c.Id).ToList();
        return new NodeContainers(time.GetUtcNow(), containers, pidsByContainer, fromDocker is not null);
    }

    public void Dispose() => _refreshing.Dispose();
}
