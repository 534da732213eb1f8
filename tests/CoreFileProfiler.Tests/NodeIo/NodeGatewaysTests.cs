using System.Net.Http;
using System.Net.Sockets;
using System.Security.Authentication;
using CoreFileProfiler.Silo.NodeIo;
using Yarp.ReverseProxy.Forwarder;

namespace CoreFileProfiler.Tests.NodeIo;

public sealed class NodeGatewaysTests
{
    [Fact]
    public void A_refused_connection_a_refused_handshake_and_a_timeout_mean_the_gateway_is_unreachable()
    {
        Assert.True(NodeGateways.MeansUnreachable(ForwarderError.Request,
            new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused", new SocketException((int)SocketError.ConnectionRefused))));
        Assert.True(NodeGateways.MeansUnreachable(ForwarderError.Request,
            new HttpRequestException(HttpRequestError.SecureConnectionError, "TLS", new AuthenticationException("refused"))));
        Assert.True(NodeGateways.MeansUnreachable(ForwarderError.RequestTimedOut, null));
    }

    [Fact]
    public void A_request_the_client_made_unsendable_does_not_mark_the_gateway_unreachable()
    {
        // What SocketsHttpHandler throws for a header value Kestrel accepted (UTF-8) but HttpClient will not write.
        Assert.False(NodeGateways.MeansUnreachable(ForwarderError.Request, new HttpRequestException("Request headers must contain only ASCII characters.")));
        Assert.False(NodeGateways.MeansUnreachable(ForwarderError.Request, null));
    }
}
