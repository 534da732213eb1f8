using System.Net;
using CoreFileProfiler.Silo.Hosting;
using CoreFileProfiler.Silo.NodeIo;
using Microsoft.AspNetCore.Http;

namespace CoreFileProfiler.Tests.NodeIo;

public sealed class ForwardingEndpointTests
{
    private const int PublicPort = 8090;
    private const int ForwardingPort = 11112;
    private const string File = "/sessions/node-c.AAAAAAAAAAAAAAAAAAAAAAAAAAAA/files/app/1_20261127-000000";

    private static readonly ForwardingEndpoint Endpoint = new(ForwardingPort, "https://10.0.0.3:11112");

    [Fact]
    public async Task A_request_from_loopback_on_the_forwarding_endpoint_is_neither_loopback_nor_a_processor_caller()
    {
        var (reached, context) = await SendAsync(ForwardingPort, "GET", File, IPAddress.Loopback);

        Assert.True(reached);
        Assert.Null(context.Connection.RemoteIpAddress);
        Assert.False(ProcessorCallers.Parse(["127.0.0.0/8", "::1"]).Contains(context.Connection.RemoteIpAddress));
        Assert.True(Endpoint.Receives(context));
    }

    [Fact]
    public async Task The_same_request_on_the_public_port_keeps_its_peer()
    {
        var (reached, context) = await SendAsync(PublicPort, "GET", File, IPAddress.Loopback);

        Assert.True(reached);
        Assert.Equal(IPAddress.Loopback, context.Connection.RemoteIpAddress);
        Assert.False(Endpoint.Receives(context));
    }

    [Theory]
    [InlineData("GET", File, true)]
    [InlineData("HEAD", File, true)]
    [InlineData("GET", "/sessions/node-c.AAAAAAAAAAAAAAAAAAAAAAAAAAAA/terminals/t1/ws", true)]
    [InlineData("GET", "/sessions/node-c.AAAAAAAAAAAAAAAAAAAAAAAAAAAA/terminals/t1/recording", true)]
    [InlineData("GET", "/watch/node-c.AAAAAAAAAAAAAAAAAAAAAAAAAAAA/ws", true)]
    [InlineData("GET", "/Sessions/node-c.AAAAAAAAAAAAAAAAAAAAAAAAAAAA/Files/app/1_20261127-000000", true)] // routed on the public port, so forwarded
    [InlineData("GET", "/WATCH/node-c.AAAAAAAAAAAAAAAAAAAAAAAAAAAA/WS", true)]
    [InlineData("GET", "/Sessions/node-c.AAAAAAAAAAAAAAAAAAAAAAAAAAAA/Api", false)]
    [InlineData("POST", "/sessions/node-c.AAAAAAAAAAAAAAAAAAAAAAAAAAAA/terminals/", false)]
    [InlineData("DELETE", "/sessions/node-c.AAAAAAAAAAAAAAAAAAAAAAAAAAAA", false)]
    [InlineData("POST", File, false)]
    [InlineData("GET", "/sessions/node-c.AAAAAAAAAAAAAAAAAAAAAAAAAAAA/api", false)]
    [InlineData("GET", "/sessions/node-c.AAAAAAAAAAAAAAAAAAAAAAAAAAAA/", false)]
    [InlineData("GET", "/sessions/node-c.AAAAAAAAAAAAAAAAAAAAAAAAAAAA/files/", false)]
    [InlineData("GET", "/sessions/node-c.AAAAAAAAAAAAAAAAAAAAAAAAAAAA/terminals/t1/", false)]
    [InlineData("GET", "/watch/node-c.AAAAAAAAAAAAAAAAAAAAAAAAAAAA/", false)]
    [InlineData("GET", "/api/sessions", false)]
    [InlineData("POST", "/processor/coreFileProfiler", false)]
    [InlineData("GET", "/metrics", false)]
    [InlineData("GET", "/", false)]
    public async Task Only_what_a_gateway_forwards_is_answered_on_the_forwarding_endpoint(string method, string path, bool answered)
    {
        var (reached, context) = await SendAsync(ForwardingPort, method, path, IPAddress.Parse("10.0.0.2"));

        Assert.Equal(answered, reached);
        if (!answered) Assert.Equal(StatusCodes.Status404NotFound, context.Response.StatusCode);
        var (publicReached, _) = await SendAsync(PublicPort, method, path, IPAddress.Parse("10.0.0.2"));
        Assert.True(publicReached); // the public port is the endpoints' to judge
    }

    [Fact]
    public void The_published_url_is_an_origin_with_the_scheme_cluster_tls_gives_it()
    {
        Assert.Equal("https://10.0.0.3:11112", ForwardingEndpoint.UrlOf(IPAddress.Parse("10.0.0.3"), 11112, tls: true));
        Assert.Equal("http://[fd00::3]:11112", ForwardingEndpoint.UrlOf(IPAddress.Parse("fd00::3"), 11112, tls: false));
    }

    private static async Task<(bool Reached, HttpContext Context)> SendAsync(int localPort, string method, string path, IPAddress peer)
    {
        var context = new DefaultHttpContext();
        context.Connection.LocalPort = localPort;
        context.Connection.RemoteIpAddress = peer;
        context.Request.Method = method;
        context.Request.Path = path;
        var reached = false;
        await Endpoint.GuardAsync(context, _ =>
        {
            reached = true;
            return Task.CompletedTask;
        });
        return (reached, context);
    }
}
