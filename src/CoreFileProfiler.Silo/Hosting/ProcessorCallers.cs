using System.Net;

namespace CoreFileProfiler.Silo.Hosting;

/// <summary>
/// <c>Auth:ProcessorCallers</c>: networks whose processor calls are trusted like the admin token (docs/architecture.md, Trust model),
/// for the KubeDiag agent, which sends no credentials. The caller is the TCP peer; forwarded-for headers
/// are never believed, since anyone can write them.
/// </summary>
public sealed class ProcessorCallers(IReadOnlyList<IPNetwork> networks)
{
    public const string Setting = AdminOptions.Section + ":ProcessorCallers";

    public bool Contains(IPAddress? address)
    {
        if (address is null) return false;
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4(); // a dual-stack socket's view of an IPv4 peer
        return networks.Any(network => network.Contains(address));
    }

    /// <summary>CIDRs (<c>10.244.0.0/16</c>, <c>fd00::/8</c>) or single addresses; anything else refuses the start.</summary>
    public static ProcessorCallers Parse(IEnumerable<string> entries) => new(entries.Select(entry =>
        IPNetwork.TryParse(entry, out var network) ? network
        : IPAddress.TryParse(entry, out var address) ? new IPNetwork(address, address.GetAddressBytes().Length * 8)
        : throw new StartupRefusedException(Setting, $"'{entry}' is not a CIDR such as 10.244.0.0/16 or an IP address")).ToList());
}
