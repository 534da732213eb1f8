using System.Net;
using System.Net.Sockets;

namespace CoreFileProfiler.IntegrationTests.Support;

/// <summary>
/// An HTTP client whose connections come from another loopback address (127.0.0.2, …): to the silo,
/// a different caller on the same machine, for settings that trust callers by address.
/// </summary>
internal static class LoopbackCaller
{
    public static HttpClient From(IPAddress source, int port) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                socket.Bind(new IPEndPoint(source, 0));
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
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
        BaseAddress = new Uri($"http://127.0.0.1:{port}"),
        Timeout = TimeSpan.FromSeconds(30),
    };
}
