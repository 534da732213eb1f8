using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using CoreFileProfiler.Store.Containers;

namespace CoreFileProfiler.Collector;

/// <summary>
/// A container's pod, namespace and name from the kubelet's labels, and its image, asked of the
/// Docker Engine API over its socket. Bounded to two seconds; any failure means "not known".
/// </summary>
public static class DockerLabels
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    /// <summary>The container's pod names (null when not a pod's) and image; (null, null) when Docker does not answer.</summary>
    public static (RunningContainer? Container, string? Image) Find(string endpoint, string containerId)
    {
        if (!endpoint.StartsWith("unix://", StringComparison.Ordinal)) return (null, null);
        var socket = endpoint["unix://".Length..];
        if (!File.Exists(socket)) return (null, null);
        try
        {
            // One HTTP/1.0 request (the server closes when done), not an HTTP stack: the collector must start fast.
            using var connection = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified) { ReceiveTimeout = (int)Timeout.TotalMilliseconds, SendTimeout = (int)Timeout.TotalMilliseconds };
            connection.Connect(new UnixDomainSocketEndPoint(socket));
            using var stream = new NetworkStream(connection, ownsSocket: false);
            stream.Write(Encoding.ASCII.GetBytes($"GET /containers/{containerId}/json HTTP/1.0\r\nHost: docker\r\n\r\n"));
            using var response = new MemoryStream();
            stream.CopyTo(response);
            var text = Encoding.UTF8.GetString(response.ToArray());
            var body = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (!text.StartsWith("HTTP/1.", StringComparison.Ordinal) || text.Split(' ', 3)[1] != "200" || body < 0) return (null, null);
            using var inspect = JsonDocument.Parse(text[(body + 4)..]);
            var config = inspect.RootElement.GetProperty("Config");
            var image = config.TryGetProperty("Image", out var named) ? named.GetString() : null;
            var labels = config.GetProperty("Labels");
            return (PodLabels.ContainerOf(containerId, name => labels.TryGetProperty(name, out var value) ? value.GetString() : null), image);
        }
        catch (Exception e) when (e is IOException or SocketException or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return (null, null);
        }
    }
}
