using System.Net;
using CoreFileProfiler.Silo.Hosting;
using Microsoft.Extensions.Configuration;

namespace CoreFileProfiler.Tests.Hosting;

public sealed class ProcessorCallersTests
{
    [Theory]
    [InlineData("10.244.1.7", true)]
    [InlineData("::ffff:10.244.1.7", true)] // an IPv4 peer on a dual-stack socket
    [InlineData("10.245.0.1", false)]
    [InlineData("192.0.2.9", true)]
    [InlineData("192.0.2.10", false)]
    [InlineData("fd00::1", true)]
    [InlineData("127.0.0.1", false)]
    public void A_caller_is_trusted_when_a_listed_network_holds_its_address(string address, bool trusted) =>
        Assert.Equal(trusted, ProcessorCallers.Parse(["10.244.0.0/16", "192.0.2.9", "fd00::/8"]).Contains(IPAddress.Parse(address)));

    [Fact]
    public void Nobody_is_trusted_by_default() =>
        Assert.False(ProcessorCallers.Parse([]).Contains(IPAddress.Loopback));

    [Fact]
    public void An_entry_that_is_no_network_refuses_the_start()
    {
        var refused = Assert.Throws<StartupRefusedException>(() => ProcessorCallers.Parse(["10.244.0.0/16", "the-agent"]));

        Assert.Equal("Auth:ProcessorCallers", refused.Setting);
        Assert.Contains("'the-agent' is not a CIDR", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_list_may_be_written_as_an_array_or_as_one_comma_separated_value()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Auth:AllowedOrigins"] = "https://a.example, https://b.example",
            ["Auth:ProcessorCallers:0"] = "10.0.0.0/8",
            ["Auth:ProcessorCallers:1"] = "192.0.2.0/24,fd00::/8",
        }).Build();

        Assert.Equal(["https://a.example", "https://b.example"], ConfiguredList.Read(configuration.GetSection("Auth:AllowedOrigins")));
        Assert.Equal(["10.0.0.0/8", "192.0.2.0/24", "fd00::/8"], ConfiguredList.Read(configuration.GetSection("Auth:ProcessorCallers")));
        Assert.Empty(ConfiguredList.Read(configuration.GetSection("Auth:Nothing")));
    }
}
