using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace CoreFileProfiler.IntegrationTests.Support;

/// <summary>
/// A client that declares a request body and then trickles it in, as a slowloris attacker does: how long
/// the server let it hold the connection, and what it answered before cutting it off.
/// </summary>
internal static class SlowBody
{
    /// <param name="declaredLength">The Content-Length it claims.</param>
    /// <param name="piece">Bytes sent each <paramref name="interval"/>.</param>
    /// <param name="giveUp">How long to keep trickling before concluding the server never cuts it off.</param>
    /// <returns>When the server closed the connection (null: it never did), and its status line's code, if it sent one.</returns>
    public static async Task<(TimeSpan? CutOffAfter, int? Status)> PostAsync(int port, string path, long declaredLength, int piece, TimeSpan interval, TimeSpan giveUp)
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port);
        var stream = client.GetStream();
        var clock = Stopwatch.StartNew();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: {declaredLength}\r\n\r\n{{"));
        var response = new StringBuilder();
        var closed = ReadUntilClosedAsync(stream, response);
        var filler = Encoding.ASCII.GetBytes(new string(' ', piece));
        for (long sent = 1; !closed.IsCompleted && clock.Elapsed < giveUp && sent + piece < declaredLength; sent += piece)
        {
            await Task.WhenAny(closed, Task.Delay(interval));
            if (closed.IsCompleted) break;
            try
            {
                await stream.WriteAsync(filler);
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
