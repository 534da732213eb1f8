using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace CoreFileProfiler.Silo.Hosting;

/// <summary>
/// Where other silos reach this one: <c>Cluster:AdvertisedAddress</c> when set, else the pod's
/// <c>POD_IP</c>, else the host's own address. Never unset: Orleans refuses a null address.
/// </summary>
public static class AdvertisedAddress
{
    public const string PodIpVariable = "POD_IP";

    public static IPAddress Resolve(string? configured) =>
        Resolve(configured, Environment.GetEnvironmentVariable(PodIpVariable), HostAddresses);

    public static IPAddress Resolve(string? configured, string? podIp, Func<IEnumerable<IPAddress>> hostAddresses)
    {
        var addresses = hostAddresses().ToList();
        if (!string.IsNullOrWhiteSpace(configured)) return Checked(configured, $"{ProfilerClusterOptions.Section}:{nameof(ProfilerClusterOptions.AdvertisedAddress)}", addresses);
        if (!string.IsNullOrWhiteSpace(podIp)) return Checked(podIp, PodIpVariable, addresses);

        // Prefer IPv4, as Orleans does; a machine with no other address still forms a cluster of one.
        var candidates = addresses.Where(a => !IPAddress.IsLoopback(a) && !a.IsIPv6LinkLocal).ToList();
        return candidates.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork)
            ?? candidates.FirstOrDefault()
            ?? IPAddress.Loopback;
    }

    /// <summary>
    /// An address the silo can listen on: written in full (IPAddress.TryParse reads "1" as 0.0.0.1),
    /// not unspecified, and this machine's own (loopback counts).
    /// </summary>
    private static IPAddress Checked(string value, string setting, List<IPAddress> own)
    {
        if (!IPAddress.TryParse(value, out var address) || (address.AddressFamily == AddressFamily.InterNetwork && value.Count(c => c == '.') != 3))
        {
            throw new StartupRefusedException(setting, $"'{value}' is not an IP address");
        }

        if (address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any)) throw new StartupRefusedException(setting, $"'{value}' names no one host; give this machine's address");
        return IPAddress.IsLoopback(address) || own.Contains(address)
            ? address
            : throw new StartupRefusedException(setting, $"'{value}' is not an address of this machine, so the silo could not listen on it");
    }

    /// <summary>The host name's addresses, then those of every interface that is up (Debian maps the host name to 127.0.1.1).</summary>
    private static IEnumerable<IPAddress> HostAddresses()
    {
        IPAddress[] named;
        try
        {
            named = Dns.GetHostAddresses(Dns.GetHostName());
        }
        catch (SocketException)
        {
            named = [];
        }

        return named.Concat(NetworkInterface.GetAllNetworkInterfaces()
            .Where(i => i.OperationalStatus == OperationalStatus.Up)
            .SelectMany(i => i.GetIPProperties().UnicastAddresses)
            .Select(u => u.Address));
    }
}
