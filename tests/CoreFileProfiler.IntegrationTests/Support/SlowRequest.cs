using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace CoreFileProfiler.IntegrationTests.Support;

/// <summary>
/// A client that trickles its request in, as a slowloris attacker does (headers that never end, or a body
/// a byte at a time): how long the server let it hold the connection, and what it answered before
/// cutting it off.
/// </summary>
internal static class SlowRequest
{
    /// <summary>Declares a body of <paramref name="declaredLength"/> bytes, then sends <paramref name="piece"/> of them every <paramref name="interval"/>.</summary>
    /// <param name="giveUp">How long to keep trickling before concluding the server never cuts it off.</param>
    /// <returns>When the server closed the connection (null: it never did), and its status line's code, if it sent one.</returns>
    public static Task<(TimeSpan? CutOffAfter, int? Status)> PostBodyAsync(int port, string path, long declaredLength, int piece, TimeSpan interval, TimeSpan giveUp) =>
        TrickleAsync(port, $"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: {declaredLength}\r\n\r\n{{", ' ', piece, declaredLength - 1, interval, giveUp);

    /// <summary>Sends a request line and then one more header byte every <paramref name="interval"/>, never ending the headers.</summary>
    public static Task<(TimeSpan? CutOffAfter, int? Status)> HeadersAsync(int port, TimeSpan interval, TimeSpan giveUp) =>
        TrickleAsync(port, $"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nX-Slow: ", 'a', 1, long.MaxValue, interval, giveUp);

    private static async Task<(TimeSpan? CutOffAfter, int? Status)> TrickleAsync(int port, string head, char filler, int piece, long limit, TimeSpan interval, TimeSpan giveUp)
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port);
        var stream = client.GetStream();
        var clock = Stopwatch.StartNew();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
        var response = new StringBuilder();
        var closed = ReadUntilClosedAsync(stream, response);
        var pieceBytes = Encoding.ASCII.GetBytes(new string(filler, piece));
        for (long sent = 0; !closed.IsCompleted && clock.Elapsed < giveUp && sent + piece <= limit; sent += piece)
        {
            await Task.WhenAny(closed, Task.Delay(interval));
            if (closed.IsCompleted) break;
            try
            {
                await stream.WriteAsync(pieceBytes);
            }
            catch (IOException)
            {
                break; // the server reset the connection
            }
        }

        await Task.WhenAny(closed, Task.Delay(TimeSpan.FromSeconds(1)));
        TimeSpan? cutOff = closed.IsCompleted ? clock.Elapsed : null;
        var text = response.ToString();
        int? status = text.StartsWith("HTTP/1.1 ", StringComparison.Ordinal) ? int.Parse(text[9..12], CultureInfo.InvariantCulture) : null;
        return (cutOff, status);
    }

    private static async Task ReadUntilClosedAsync(NetworkStream stream, StringBuilder response)
    {
        var buffer = new byte[4096];
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer)) > 0) response.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }
        catch (IOException)
        {
            // reset: closed all the same
        }
    }
}
