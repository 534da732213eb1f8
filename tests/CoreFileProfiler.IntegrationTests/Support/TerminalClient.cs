using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace CoreFileProfiler.IntegrationTests.Support;

/// <summary>A terminal viewer over a real WebSocket, as the page is: reads output, types, resizes.</summary>
public sealed partial class TerminalClient : IAsyncDisposable
{
    private readonly ClientWebSocket _socket = new();
    private readonly StringBuilder _output = new();
    private readonly SemaphoreSlim _changed = new(0);
    private Task _reading = Task.CompletedTask;

    public WebSocketCloseStatus? CloseStatus => _socket.CloseStatus;

    public string? CloseReason => _socket.CloseStatusDescription;

    /// <summary>Everything received so far, with terminal escape sequences removed.</summary>
    public string Text
    {
        get
        {
            lock (_output) return Escapes().Replace(_output.ToString(), "");
        }
    }

    /// <param name="through">Makes the connection (e.g. <see cref="DnsRebinding.Client"/>); null for the usual one.</param>
    public static async Task<TerminalClient> ConnectAsync(string wsUrl, string? origin = null, HttpMessageInvoker? through = null, string? adminToken = null)
    {
        var client = new TerminalClient();
        if (origin is not null) client._socket.Options.SetRequestHeader("Origin", origin);
        if (adminToken is not null) client._socket.Options.SetRequestHeader("Authorization", $"Bearer {adminToken}");
        await client._socket.ConnectAsync(new Uri(wsUrl), through, CancellationToken.None);
        client._reading = client.ReadAsync();
        return client;
    }

    public Task TypeAsync(string data) => SendAsync(JsonSerializer.Serialize(new { type = "input", data }));

    public Task ResizeAsync(int cols, int rows) => SendAsync(JsonSerializer.Serialize(new { type = "resize", cols, rows }));

    public Task SendAsync(string text) => SendRawAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text);

    public async Task SendRawAsync(byte[] data, WebSocketMessageType type) =>
        await _socket.SendAsync(data, type, endOfMessage: true, CancellationToken.None);

    /// <summary>Waits until the output (escapes removed) matches; returns it.</summary>
    public async Task<string> WaitForAsync(Func<string, bool> condition, string what, TimeSpan? within = null)
    {
        using var timeout = new CancellationTokenSource(within ?? TimeSpan.FromSeconds(20));
        while (!condition(Text))
        {
            if (_reading.IsCompleted && !condition(Text)) throw new InvalidOperationException($"Closed ({CloseStatus} {CloseReason}) before {what}:\n{Text}");
            try
            {
                await _changed.WaitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"No {what} within the time:\n{Text}");
            }
        }

        return Text;
    }

    public Task<string> WaitForAsync(string expected, TimeSpan? within = null) =>
        WaitForAsync(text => text.Contains(expected, StringComparison.Ordinal), $"'{expected}'", within);

    /// <summary>Waits for the server to close the socket.</summary>
    public async Task WaitClosedAsync(TimeSpan within) => await _reading.WaitAsync(within);

    public int Count(string text) => Regex.Count(Text, Regex.Escape(text));

    private async Task ReadAsync()
    {
        var buffer = new byte[64 << 10];
        var decoder = Encoding.UTF8.GetDecoder();
        var chars = new char[buffer.Length];
        try
        {
            while (true)
            {
                var result = await _socket.ReceiveAsync(buffer, CancellationToken.None);
                if (result.MessageType == WebSocketMessageType.Close) break;
                var count = decoder.GetChars(buffer, 0, result.Count, chars, 0);
                lock (_output) _output.Append(chars, 0, count);
                _changed.Release();
            }
        }
        catch (WebSocketException)
        {
            // the connection dropped; CloseStatus stays null
        }
        finally
        {
            _changed.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_socket.State == WebSocketState.Open)
        {
            try
            {
                await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "", new CancellationTokenSource(TimeSpan.FromSeconds(5)).Token);
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException)
            {
                // already going away
            }
        }

        _socket.Dispose();
    }

    [GeneratedRegex(@"\x1b(\[[0-9;?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[()][0-9A-Za-z]|[=>78])")]
    private static partial Regex Escapes();
}
