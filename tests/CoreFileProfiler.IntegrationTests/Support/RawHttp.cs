using System.Net.Sockets;
using System.Text;

namespace CoreFileProfiler.IntegrationTests.Support;

/// <summary>
/// Sends a request line exactly as written. HttpClient normalises "..", which would hide
/// exactly the traversal attempts the tests need to send.
/// </summary>
internal static class RawHttp
{
    /// <param name="headers">Header lines after Host, each ending in CRLF; they must ask the server to close the connection.</param>
    public static async Task<(int Status, string Response)> GetAsync(int port, string rawTarget, string headers = "Connection: close\r\n")
    {
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", port);
        await using var stream = client.GetStream();
        var request = Encoding.ASCII.GetBytes($"GET {rawTarget} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{headers}\r\n");
        await stream.WriteAsync(request);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var response = await reader.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(30));
        var status = int.Parse(response.Split(' ', 3)[1], System.Globalization.CultureInfo.InvariantCulture);
        return (status, response);
    }
}
