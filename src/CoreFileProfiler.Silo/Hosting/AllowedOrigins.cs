using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace CoreFileProfiler.Silo.Hosting;

/// <summary>
/// <c>Auth:AllowedOrigins</c> (docs/architecture.md, Trust model): the browser origins whose pages may open terminal WebSockets,
/// make cookie-authenticated changes and POST to the processor. Unset: <c>Profiler:PublicBaseUrl</c>'s
/// origin (the URLs we hand out) and <c>localhost</c>, <c>127.0.0.1</c> and <c>[::1]</c> on the ports this
/// gateway listens on, and the origins of the URLs the cluster's other nodes hand out (<see cref="ClusterOrigins"/>). The <c>Host</c> header is never the reference: a DNS-rebinding page sends a Host and
/// an Origin that agree with each other.
/// </summary>
public sealed class AllowedOrigins
{
    public const string Setting = AdminOptions.Section + ":AllowedOrigins";

    private readonly Lazy<HashSet<string>> _origins;
    private readonly ClusterOrigins? _cluster;

    /// <param name="configured">Normalized (<see cref="Parse"/>); empty for the default.</param>
    /// <param name="cluster">With the default, the origins of the other nodes' URLs are allowed too.</param>
    public AllowedOrigins(IReadOnlyList<string> configured, PublicUrls urls, IServer server, ClusterOrigins? cluster = null)
    {
        // The default needs the bound ports, known once the server listens, before the first request.
        _origins = new(() => configured.Count > 0 ? [.. configured] : Default(urls, server));
        _cluster = configured.Count > 0 ? null : cluster;
    }

    /// <summary>No <c>Origin</c> (not a browser's: the KubeDiag agent, curl), or an allowed one.</summary>
    public bool Allows(HttpRequest request)
    {
        var origin = request.Headers.Origin.ToString();
        return origin.Length == 0
            || (Normalize(origin) is { } normalized && (_origins.Value.Contains(normalized) || _cluster?.Published(normalized) == true));
    }

    /// <summary>
    /// Whether the request names us in its <c>Host</c>: a loopback name (on any port: a port-forward
    /// chooses its own), or an allowed origin. A DNS-rebinding page reaches a loopback listener from
    /// loopback, but with its own name in <c>Host</c>.
    /// </summary>
    public bool IsAddressedToUs(HttpRequest request)
    {
        var host = request.Host.Host.Trim('[', ']');
        return string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address))
            || (Normalize($"{request.Scheme}://{request.Host}") is { } addressed && _origins.Value.Contains(addressed));
    }

    /// <summary>An endpoint filter: a request from another origin's page gets a 403 saying so.</summary>
    public static Func<EndpointFilterInvocationContext, EndpointFilterDelegate, ValueTask<object?>> Require(string what) =>
        async (context, next) =>
        {
            var request = context.HttpContext.Request;
            return context.HttpContext.RequestServices.GetRequiredService<AllowedOrigins>().Allows(request)
                ? await next(context)
                : TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, detail: Refusal(request, what));
        };

    public static string Refusal(HttpRequest request, string what) =>
        $"{what} from pages of '{request.Headers.Origin}' are refused: that origin is not in {Setting}. " +
        "A request without an Origin header is not a browser's and is not affected.";

    /// <summary>The configured origins, normalized; anything that is not an http(s) origin refuses the start.</summary>
    public static IReadOnlyList<string> Parse(IEnumerable<string> entries) =>
        entries.Select(entry => Normalize(entry)
            ?? throw new StartupRefusedException(Setting, $"'{entry}' is not an origin such as https://profiler.example.com or http://localhost:8090")).ToList();

    /// <summary><c>scheme://host:port</c>, lower case, the port always written; null for anything but an http(s) origin.</summary>
    public static string? Normalize(string origin) =>
        Uri.TryCreate(origin, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
        && uri.UserInfo.Length == 0 && uri.AbsolutePath == "/" && uri.Query.Length == 0 && uri.Fragment.Length == 0
            ? $"{uri.Scheme}://{(uri.HostNameType == UriHostNameType.IPv6 ? uri.Host : uri.IdnHost)}:{uri.Port}" // IdnHost drops IPv6's brackets
            : null;

    private static HashSet<string> Default(PublicUrls urls, IServer server)
    {
        var origins = new HashSet<string>();
        if (Normalize(new Uri(urls.Base).GetLeftPart(UriPartial.Authority)) is { } published) origins.Add(published);
        foreach (var address in server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [])
        {
            var listening = BindingAddress.Parse(address);
            foreach (var host in new[] { "localhost", "127.0.0.1", "[::1]" }) origins.Add($"{listening.Scheme}://{host}:{listening.Port}");
        }

        return origins;
    }
}
