using System.Net;
using CoreFileProfiler.Silo.Hosting;

namespace CoreFileProfiler.Tests.Hosting;

public sealed class AdvertisedAddressTests
{
    private static readonly IPAddress[] Host = [IPAddress.Parse("127.0.1.1"), IPAddress.Parse("fe80::1"), IPAddress.Parse("fd00::2"), IPAddress.Parse("192.0.2.2")];
    private static readonly IPAddress[] Pod = [.. Host, IPAddress.Parse("10.1.2.3"), IPAddress.Parse("10.9.9.9")];

    [Fact]
    public void An_explicit_address_wins_over_the_pods_and_the_hosts() =>
        Assert.Equal(IPAddress.Parse("10.1.2.3"), AdvertisedAddress.Resolve("10.1.2.3", "10.9.9.9", () => Pod));

    [Fact]
    public void In_a_pod_the_pod_ip_is_advertised() =>
        Assert.Equal(IPAddress.Parse("10.9.9.9"), AdvertisedAddress.Resolve(null, "10.9.9.9", () => Pod));

    [Fact]
    public void Elsewhere_the_hosts_first_non_loopback_ipv4_address_is_advertised() =>
        Assert.Equal(IPAddress.Parse("192.0.2.2"), AdvertisedAddress.Resolve("", null, () => Host));

    [Fact]
    public void A_host_with_only_ipv6_advertises_its_global_ipv6_address() =>
        Assert.Equal(IPAddress.Parse("fd00::2"), AdvertisedAddress.Resolve(null, null, () => Host.Where(a => a.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)));

    [Fact]
    public void A_host_with_no_other_address_advertises_loopback_and_never_nothing() =>
        Assert.Equal(IPAddress.Loopback, AdvertisedAddress.Resolve(null, null, () => [IPAddress.Loopback, IPAddress.Parse("127.0.1.1")]));

    [Theory]
    [InlineData("node-a.example", null, "Cluster:AdvertisedAddress")]
    [InlineData(null, "not-an-ip", "POD_IP")]
    [InlineData("1", null, "Cluster:AdvertisedAddress")] // IPAddress.TryParse reads 0.0.0.1
    [InlineData("0.0.0.0", null, "Cluster:AdvertisedAddress")]
    [InlineData("::", null, "Cluster:AdvertisedAddress")]
    [InlineData("10.200.0.1", null, "Cluster:AdvertisedAddress")] // not this machine's: nothing could listen there
    [InlineData(null, "10.200.0.1", "POD_IP")]
    public void A_value_that_is_not_an_address_is_refused_naming_where_it_came_from(string? configured, string? podIp, string setting)
    {
        var refused = Assert.Throws<StartupRefusedException>(() => AdvertisedAddress.Resolve(configured, podIp, () => Host));

        Assert.Equal(setting, refused.Setting);
        Assert.Contains(configured ?? podIp!, refused.Message, StringComparison.Ordinal);
    }
}
