using System.Net;
using System.Net.Sockets;

namespace CoreFileProfiler.IntegrationTests.Support;

/// <summary>
/// An HTTP client (and WebSocket invoker) whose connections all go to a port on 127.0.0.1, whatever
/// host its URLs name, optionally from another loopback address (127.0.0.2, …): to the silo, another
/// caller on the same machine, or a page whose DNS name was rebound to loopback.
/// </summary>
internal static class LoopbackClient
{
    public static HttpClient Create(string baseAddress, IPAddress? from = null) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                if (from is not null) socket.Bind(new IPEndPoint(from, 0));
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, context.DnsEndPoint.Port), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    })
    {
        BaseAddress = new Uri(baseAddress),
        Timeout = TimeSpan.FromSeconds(30),
    };
}
