using System.Globalization;
using CoreFileProfiler.Store.Containers;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CoreFileProfiler.Node.Containers;

/// <summary>
/// Pod containers through the Docker Engine API (<c>Profiler:DockerEndpoint</c>), by the
/// kubelet's labels. Every call is bounded: an absent or hung daemon is "no answer", never a hang.
/// </summary>
public sealed class DockerContainers(IOptions<ProfilerOptions> options, ILogger<DockerContainers> logger) : IDisposable
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(2);

    private readonly Lazy<DockerClient> _client = new(() =>
        new DockerClientConfiguration(new Uri(options.Value.DockerEndpoint), null, CallTimeout).CreateClient());

    /// <summary>Running pod containers, or null when Docker does not answer.</summary>
    public async Task<IReadOnlyList<RunningContainer>?> ListAsync(CancellationToken cancellationToken)
    {
        var listed = await CallAsync(client => client.Containers.ListContainersAsync(
            new ContainersListParameters
            {
                Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = new Dictionary<string, bool> { [PodLabels.Namespace] = true } },
            },
            cancellationToken), cancellationToken);
        return listed?
            .Select(c => PodLabels.ContainerOf(c.ID, label => c.Labels.TryGetValue(label, out var value) ? value : null))
            .OfType<RunningContainer>()
            .ToList();
    }

    /// <summary>Host pids of a container's processes (<c>/containers/{id}/top</c>), or null when Docker does not answer.</summary>
    public async Task<IReadOnlyList<int>?> PidsAsync(string containerId, CancellationToken cancellationToken)
    {
        var top = await CallAsync(client => client.Containers.ListProcessesAsync(containerId, new ContainerListProcessesParameters(), cancellationToken), cancellationToken);
        var column = top?.Titles.IndexOf("PID") ?? -1;
        return column < 0 ? null : top!.Processes
            .Select(row => int.TryParse(row[column], CultureInfo.InvariantCulture, out var pid) ? pid : 0)
            .Where(pid => pid > 0)
            .ToList();
    }

    private async Task<T?> CallAsync<T>(Func<DockerClient, Task<T>> call, CancellationToken cancellationToken)
        where T : class
    {
        var endpoint = new Uri(options.Value.DockerEndpoint);
        if (endpoint.Scheme == "unix" && !File.Exists(endpoint.LocalPath)) return null; // no daemon on this node
        try
        {
            return await call(_client.Value).WaitAsync(CallTimeout, cancellationToken);
        }
        catch (Exception e) when (e is HttpRequestException or DockerApiException or TimeoutException or IOException
                                       or System.Net.Sockets.SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            logger.LogDebug(e, "Docker at {DockerEndpoint} did not answer", options.Value.DockerEndpoint);
            return null;
        }
    }

    public void Dispose()
    {
        if (_client.IsValueCreated) _client.Value.Dispose();
    }
}
