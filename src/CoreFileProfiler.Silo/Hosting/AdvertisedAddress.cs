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
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return IPAddress.TryParse(configured, out var address)
                ? address
                : throw new StartupRefusedException($"{ProfilerClusterOptions.Section}:{nameof(ProfilerClusterOptions.AdvertisedAddress)}", $"'{configured}' is not an IP address");
        }

        if (!string.IsNullOrWhiteSpace(podIp))
        {
            return IPAddress.TryParse(podIp, out var address)
                ? address
                : throw new StartupRefusedException(PodIpVariable, $"'{podIp}' is not an IP address");
        }

        // Prefer IPv4, as Orleans does; a machine with no other address still forms a cluster of one.
        var candidates = hostAddresses().Where(a => !IPAddress.IsLoopback(a) && !a.IsIPv6LinkLocal).ToList();
        return candidates.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork)
            ?? candidates.FirstOrDefault()
            ?? IPAddress.Loopback;
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
