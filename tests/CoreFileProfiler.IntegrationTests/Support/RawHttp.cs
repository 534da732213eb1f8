using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

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

    /// <summary>
    /// The answer to one request, as the client reads it: status line, the headers that describe the body, and
    /// the body's hash (the Date and the connection's own headers differ between any two answers, and so does a
    /// chunked body's framing).
    /// </summary>
    public static async Task<string> AnswerAsync(int port, string method, string path, string headers)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        var stream = tcp.GetStream();
        var extra = headers.Length > 0 ? headers + "\r\n" : "";
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{extra}Connection: close\r\n\r\n"));
        using var all = new MemoryStream();
        await stream.CopyToAsync(all).WaitAsync(TimeSpan.FromSeconds(30));
        var bytes = all.ToArray();
        var end = bytes.AsSpan().IndexOf("\r\n\r\n"u8) + 4;
        var head = Encoding.ASCII.GetString(bytes, 0, end).Split("\r\n");
        string[] kept = ["Content-Length", "Content-Range", "Content-Type", "Content-Disposition", "ETag", "Last-Modified", "Accept-Ranges", "Cache-Control"];
        var described = head.Skip(1).Where(h => kept.Any(k => h.StartsWith(k + ":", StringComparison.OrdinalIgnoreCase))).Order(StringComparer.Ordinal);
        var body = Encoding.Latin1.GetString(bytes, end, bytes.Length - end);
        if (head.Contains("Transfer-Encoding: chunked", StringComparer.OrdinalIgnoreCase)) body = Dechunked(body);
        // A problem's body names its request (traceId), which differs between any two requests.
        body = Regex.Replace(body, "\"traceId\":\"[^\"]*\"", "");
        return string.Join('\n', [head[0], .. described, "body sha256 " + Convert.ToHexString(SHA256.HashData(Encoding.Latin1.GetBytes(body)))]);
    }

    private static string Dechunked(string chunked)
    {
        var body = new StringBuilder();
        for (var at = 0; ;)
        {
            var line = chunked.IndexOf("\r\n", at, StringComparison.Ordinal);
            var size = int.Parse(chunked[at..line], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            if (size == 0) return body.ToString();
            body.Append(chunked, line + 2, size);
            at = line + 2 + size + 2;
        }
    }
}
