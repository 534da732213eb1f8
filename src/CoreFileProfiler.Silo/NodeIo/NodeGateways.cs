using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using CoreFileProfiler.Grains.Cluster;
using Orleans.Runtime.MembershipService.SiloMetadata;
using Yarp.ReverseProxy.Forwarder;

namespace CoreFileProfiler.Silo.NodeIo;

/// <summary>
/// Forwards a request to the gateway of the node that holds what it asks for, over the pod network,
/// streaming both ways: downloads with <see cref="SplicedDownloadForwarder"/> (kernel to kernel over plain HTTP, else <see cref="DownloadForwarder"/>), WebSockets and recordings with YARP. The target comes only from the silo metadata of that node's live silo,
/// never from the request. When that gateway cannot be reached (nothing published, connection refused,
/// timed out, TLS refused) the caller serves the request through Orleans messaging instead; such an
/// address is not tried again for a while, so a blocked port costs one connect timeout, not one per request.
/// </summary>
internal sealed partial class NodeGateways(
    ClusterNodes nodes, ISiloMetadataCache metadata, IHttpForwarder forwarder, SplicedDownloadForwarder downloads, ForwardingClient client, ILogger<NodeGateways> logger)
{
    private static readonly TimeSpan RetryUnreachableAfter = TimeSpan.FromSeconds(30);

    // A terminal may be idle for long; its WebSocket pings every 20 s. A download's client may stall.
    private static readonly TimeSpan ActivityTimeout = TimeSpan.FromMinutes(10);

    private static readonly ForwarderRequestConfig RequestConfig = new()
    {
        // HTTP/1.1: WebSockets upgrade through it as they came, and a download is one plain stream.
        Version = HttpVersion.Version11,
        VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        ActivityTimeout = ActivityTimeout,
        AllowResponseBuffering = false,
    };

    private readonly ConcurrentDictionary<string, DateTimeOffset> _unreachable = new();

    /// <summary>
    /// Forwards the request (a terminal's or watch link's WebSocket, a recording) to <paramref name="node"/>'s
    /// gateway. True when that gateway answered (or the client went away meanwhile): the response is done.
    /// False when it could not be reached and nothing was sent to the client: serve the request another way.
    /// </summary>
    public Task<bool> TryForwardAsync(HttpContext context, string node) =>
        TryAsync(context, node, async target =>
        {
            var error = await forwarder.SendAsync(context, target, client.Invoker, RequestConfig, ForwardingTransformer.Instance);
            var exception = context.Features.Get<IForwarderErrorFeature>()?.Exception;
            context.Features.Set<IForwarderErrorFeature>(null);
            return (error, exception);
        });

    /// <summary>As <see cref="TryForwardAsync"/>, for a download (a file's GET or HEAD).</summary>
    public Task<bool> TryForwardDownloadAsync(HttpContext context, string node) =>
        TryAsync(context, node, target => downloads.SendAsync(context, target, ActivityTimeout));

    private async Task<bool> TryAsync(HttpContext context, string node, Func<string, Task<(ForwarderError Error, Exception? Exception)>> send)
    {
        if (AddressOf(node) is not { } target) return false;
        if (_unreachable.TryGetValue(target, out var until) && DateTimeOffset.UtcNow < until) return false;

        var (error, exception) = await send(target);
        var notSent = error is ForwarderError.Request or ForwarderError.RequestTimedOut
            || (error is ForwarderError.RequestCanceled && !context.RequestAborted.IsCancellationRequested);
        if (!notSent || context.Response.HasStarted) return true;

        context.Response.Clear(); // what the forwarder set (YARP's 502): nothing of it was sent
        // Only the node's fault counts against its address: a request this client made unsendable (a header
        // HttpClient refuses, such as one with non-ASCII characters) is served another way, once.
        if (!MeansUnreachable(error, exception)) return false;

        _unreachable[target] = DateTimeOffset.UtcNow + RetryUnreachableAfter;
        LogUnreachable(logger, node, target, exception?.Message ?? error.ToString());
        return false;
    }

    /// <summary>Whether a failed forward says the node's gateway cannot be reached (refused, timed out, TLS refused), not that this one request could not be sent.</summary>
    internal static bool MeansUnreachable(ForwarderError error, Exception? exception)
    {
        if (error == ForwarderError.RequestTimedOut) return true;
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is SocketException or AuthenticationException or TimeoutException
                || e is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.SecureConnectionError or HttpRequestError.NameResolutionError })
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The forwarding URL <paramref name="node"/>'s live silo published, if it is a member and published one.</summary>
    private string? AddressOf(string node)
    {
        var silo = nodes.Current().FirstOrDefault(n => n.Name == node)?.Silo;
        if (silo is null || !metadata.GetSiloMetadata(silo).Metadata.TryGetValue(ForwardingEndpoint.MetadataKey, out var url)) return null;
        // Written by a member of the cluster (admitted by mutual TLS when it is on); still, only an origin is used.
        return Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.GetLeftPart(UriPartial.Authority) == url ? url : null;
    }

    [LoggerMessage(EventName = "ForwardingUnreachable", Level = LogLevel.Warning,
        Message = "The gateway of node {Node} at {Target} cannot be reached ({Reason}); its requests go through Orleans messaging for a while")]
    private static partial void LogUnreachable(ILogger logger, string node, string target, string reason);
}
