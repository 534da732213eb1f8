using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace CoreFileProfiler.IntegrationTests.Support;

/// <summary>This machine's own non-loopback IPv4 address: a client on it is "not on loopback" to a silo listening on every address.</summary>
public static class MachineAddress
{
    public static IPAddress NonLoopbackIPv4()
    {
        var address = NetworkInterface.GetAllNetworkInterfaces()
            .Where(i => i.OperationalStatus == OperationalStatus.Up && i.NetworkInterfaceType != NetworkInterfaceType.Loopback)
            .SelectMany(i => i.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a));
        Assert.True(address is not null, "This test needs a non-loopback IPv4 address on this machine.");
        return address;
    }
}
