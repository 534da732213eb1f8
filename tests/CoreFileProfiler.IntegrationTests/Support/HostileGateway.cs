using System.Net;
using System.Net.Sockets;

namespace CoreFileProfiler.IntegrationTests.Support;

/// <summary>
/// A malicious peer standing in for a node's gateway on loopback: to every request it answers the bytes the test
/// set last (a hostile head, a body shorter than its length), then closes. Stopped with the test.
/// </summary>
public sealed class HostileGateway : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _serving;

    public HostileGateway()
    {
        _listener.Start();
        _serving = ServeAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>What the next requests are answered, byte for byte.</summary>
    public byte[] Answer { get; set; } = [];

    /// <summary>How many requests it has answered.</summary>
    public int Answered { get; private set; }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _serving;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        _stop.Dispose();
    }

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            using var connection = await _listener.AcceptTcpClientAsync(_stop.Token);
            try
            {
                var stream = connection.GetStream();
                var request = new List<byte>();
                var buffer = new byte[4096];
                while (!request.ToArray().AsSpan().EndsWith("\r\n\r\n"u8))
                {
                    var read = await stream.ReadAsync(buffer, _stop.Token);
                    if (read == 0) break;
                    request.AddRange(buffer.AsSpan(0, read));
                }

                await stream.WriteAsync(Answer, _stop.Token);
                Answered++;
            }
            catch (IOException)
            {
                // the gateway hung up first: fine for a hostile peer
            }
        }
    }
}
