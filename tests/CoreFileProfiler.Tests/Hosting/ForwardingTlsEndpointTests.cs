using System.Net;
using CoreFileProfiler.Silo.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace CoreFileProfiler.Tests.Hosting;

/// <summary>Cluster TLS secures the forwarding endpoint alone: a public https URL keeps its own certificate and needs no client certificate.</summary>
public sealed class ForwardingTlsEndpointTests
{
    private static readonly IPAddress Advertised = IPAddress.Parse("10.0.0.3");

    [Theory]
    [InlineData("10.0.0.3", 11112, true)]
    [InlineData("10.0.0.3", 8443, false)]    // the public https URL on the same address
    [InlineData("0.0.0.0", 11112, false)]    // another binding on the same port number
    [InlineData("127.0.0.1", 8090, false)]
    public void Only_the_forwarding_endpoint_gets_the_cluster_tls(string address, int port, bool forwarding)
    {
        ListenOptions? listen = null;
        new KestrelServerOptions().Listen(IPAddress.Parse(address), port, options => listen = options);

        Assert.Equal(forwarding, ProfilerHostingExtensions.IsForwarding(listen!, Advertised, 11112));
    }
}
