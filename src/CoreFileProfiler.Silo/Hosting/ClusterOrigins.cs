using CoreFileProfiler.Grains.Cluster;
using Microsoft.AspNetCore.Http;
using Orleans.Runtime.MembershipService.SiloMetadata;

namespace CoreFileProfiler.Silo.Hosting;

/// <summary>
/// The origins of the URLs every node of the cluster hands out, which each silo publishes in its silo
/// metadata. A page one node's gateway served opens its terminal's WebSocket on that gateway, which
/// forwards it, <c>Origin</c> and all, to the terminal's own node: there, with <c>Auth:AllowedOrigins</c>
/// unset, the origin of a live member's URLs is allowed as that member allows it.
/// </summary>
public sealed class ClusterOrigins(ClusterNodes nodes, ISiloMetadataCache metadata)
{
    public const string MetadataKey = "cfp.origin";

    /// <summary>Whether a live member of the cluster published <paramref name="origin"/> (normalized) as its URLs' origin.</summary>
    public bool Published(string origin) =>
        nodes.Current().Any(node => node.Silo is { } silo
            && metadata.GetSiloMetadata(silo).Metadata.TryGetValue(MetadataKey, out var published) && published == origin);

    /// <summary>
    /// The origin of the URLs this silo hands out (<see cref="PublicUrls"/>), as far as the settings say before the
    /// gateway listens: <c>Profiler:PublicBaseUrl</c>'s, else <c>http://&lt;node&gt;:&lt;the first URL's port&gt;</c>; null when that port is chosen at start.
    /// </summary>
    public static string? Of(string? publicBaseUrl, string node, IReadOnlyList<string> urls)
    {
        if (publicBaseUrl is not null) return Uri.TryCreate(publicBaseUrl, UriKind.Absolute, out var uri) ? AllowedOrigins.Normalize(uri.GetLeftPart(UriPartial.Authority)) : null;
        return urls.Count > 0 && BindingAddress.Parse(urls[0]).Port is > 0 and var port ? AllowedOrigins.Normalize($"http://{node}:{port}") : null;
    }
}
