using System.Net;
using System.Text.RegularExpressions;

namespace CoreFileProfiler.Silo.NodeIo;

/// <summary>
/// This gateway's endpoint for requests other gateways forward to it (<c>Cluster:ForwardingPort</c>), and
/// the address it publishes in its silo metadata for them. A request that arrives there is served as the
/// user's own, by the same endpoints, with the user's own credentials: it is never a loopback or
/// processor caller (the peer is a gateway, not the user), and only the paths a gateway forwards are
/// answered.
/// </summary>
public sealed partial class ForwardingEndpoint
{
    /// <summary>The silo metadata key under which each silo publishes its forwarding URL.</summary>
    public const string MetadataKey = "cfp.forwarding";

    /// <param name="port">The port this silo listens on for forwarded requests; 0 for none.</param>
    /// <param name="publishedUrl">What other silos forward to (<c>scheme://address:port</c>); null for none.</param>
    public ForwardingEndpoint(int port, string? publishedUrl)
    {
        Port = port;
        PublishedUrl = publishedUrl;
    }

    /// <summary>No forwarding endpoint (a single silo, or <c>Cluster:ForwardingPort</c> 0).</summary>
    public static ForwardingEndpoint None { get; } = new(0, null);

    public int Port { get; }

    public string? PublishedUrl { get; }

    /// <summary>The URL this silo listens on and publishes: https with cluster TLS, else http.</summary>
    public static string UrlOf(IPAddress address, int port, bool tls) =>
        new UriBuilder(tls ? Uri.UriSchemeHttps : Uri.UriSchemeHttp, address.ToString(), port).Uri.GetLeftPart(UriPartial.Authority);

    /// <summary>Whether the request came in through the forwarding endpoint, that is, from another gateway.</summary>
    public bool Receives(HttpContext context) => Port > 0 && context.Connection.LocalPort == Port;

    /// <summary>
    /// Runs first for every request: on the forwarding endpoint, forgets the peer's address (the user's
    /// address is not known here, and another gateway's must never count as loopback or a processor
    /// caller) and answers 404 to anything a gateway does not forward.
    /// </summary>
    public async Task GuardAsync(HttpContext context, RequestDelegate next)
    {
        if (Receives(context))
        {
            context.Connection.RemoteIpAddress = null;
            if (!IsForwardable(context.Request))
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }
        }

        await next(context);
    }

    /// <summary>The requests a gateway forwards to a node's own: downloads, terminal and watch WebSockets, recordings.</summary>
    public static bool IsForwardable(HttpRequest request) =>
        (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method)) && ForwardablePath().IsMatch(request.Path.Value ?? "");

    // Routing ignores case, so a gateway forwards /Sessions/… as the user wrote it: the owning gateway must take it too.
    [GeneratedRegex(@"^/(sessions/[^/]+/(files/.+|terminals/[^/]+/(ws|recording))|watch/[^/]+/ws)\z", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ForwardablePath();
}
