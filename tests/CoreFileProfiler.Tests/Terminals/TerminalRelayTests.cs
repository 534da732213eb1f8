using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using CoreFileProfiler.Node.Terminals;
using CoreFileProfiler.Silo.Terminals;
using Microsoft.Extensions.Logging.Abstractions;

namespace CoreFileProfiler.Tests.Terminals;

/// <summary>The relay between a real WebSocket (over a loopback connection) and a real shared terminal.</summary>
public sealed class TerminalRelayTests
{
    private static readonly Dictionary<string, string> Environment = new() { ["PATH"] = "/usr/sbin:/usr/bin:/sbin:/bin", ["TERM"] = "xterm-256color" };

    [Fact]
    public async Task A_viewer_that_raced_past_the_gateways_check_is_closed_with_1013_and_the_reason()
    {
        var terminal = new SharedTerminal(PseudoTerminal.Start(["sleep", "30"], Environment, 80, 24), "sleep", limits: TerminalLimits.Default with { MaxViewers = 1 });
        try
        {
            using var present = terminal.Attach(); // the terminal is full by the time this viewer joins
            var (server, client) = await WebSocketPairAsync();
            using (server)
            using (client)
            {
                // The grain is asked only why output ended; a refused join never asks it.
                var relay = new TerminalRelay(server, new LocalTerminalLink(terminal), session: null!, "terminal", 4 << 20, NullLogger.Instance);
                var relaying = relay.RunAsync(CancellationToken.None);

                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                var received = await client.ReceiveAsync(new byte[1024], timeout.Token);

                Assert.Equal(WebSocketMessageType.Close, received.MessageType);
                Assert.Equal((WebSocketCloseStatus)1013, client.CloseStatus);
                Assert.Contains("1 viewers (Profiler:MaxViewersPerTerminal)", client.CloseStatusDescription, StringComparison.Ordinal);
                await client.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", timeout.Token);
                await relaying.WaitAsync(timeout.Token);
                Assert.Equal(1, terminal.ViewerCount);
            }
        }
        finally
        {
            await terminal.Close("test over");
            terminal.Recording.Dispose();
        }
    }

    private static async Task<(WebSocket Server, WebSocket Client)> WebSocketPairAsync()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var connecting = new TcpClient();
            var connected = connecting.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
            var accepted = await listener.AcceptTcpClientAsync();
            await connected;
            return (WebSocket.CreateFromStream(accepted.GetStream(), new WebSocketCreationOptions { IsServer = true }),
                WebSocket.CreateFromStream(connecting.GetStream(), new WebSocketCreationOptions { IsServer = false }));
        }
        finally
        {
            listener.Stop();
        }
    }
}
