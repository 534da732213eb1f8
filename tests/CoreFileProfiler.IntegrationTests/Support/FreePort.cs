using System.Net;
using System.Net.Sockets;

namespace CoreFileProfiler.IntegrationTests.Support;

internal static class FreePort
{
    /// <summary>Every port handed out in this run: the kernel may offer a just-closed port again at once.</summary>
    private static readonly HashSet<int> HandedOut = [];

    /// <summary>
    /// A loopback port nothing listens on right now, and never one this run handed out before (a silo once got
    /// the same port for HTTP and Orleans, and failed to start).
    /// </summary>
    public static int Next()
    {
        lock (HandedOut)
        {
            while (true)
            {
                using var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
                var port = ((IPEndPoint)listener.LocalEndpoint).Port;
                if (HandedOut.Add(port)) return port;
            }
        }
    }
}
