using System.Net.WebSockets;
using System.Text;

namespace CoreFileProfiler.Bench;

/// <summary>
/// A gdb at the other end of a WebSocket: ours (JSON input frames, raw pty output) or websocketd's
/// (a line per text frame both ways). Output is searched for what is expected as it streams
/// and then dropped, so 50 MB of it costs neither memory nor time.
/// </summary>
public sealed class TerminalPeer : IAsyncDisposable
{
    private readonly ClientWebSocket _socket = new();
    private readonly bool _ours;
    private readonly object _gate = new();
    private readonly StringBuilder _window = new();
    private readonly Decoder _utf8 = Encoding.UTF8.GetDecoder();
    private Expectation? _expected;
    private bool _closed;
    private Task _receiving = Task.CompletedTask;

    private TerminalPeer(bool ours) => _ours = ours;

    public long BytesReceived { get; private set; }

    public static async Task<TerminalPeer> ConnectAsync(string url, bool ours)
    {
        var peer = new TerminalPeer(ours);
        await peer._socket.ConnectAsync(new Uri(url), CancellationToken.None);
        peer._receiving = peer.ReceiveAsync();
        return peer;
    }

    public Task SendLineAsync(string line)
    {
        var text = _ours
            ? System.Text.Json.JsonSerializer.Serialize(new { type = "input", data = line + "\n" })
            : line + "\n";
        return _socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);
    }

    /// <summary>
    /// Starts looking for <paramref name="marker"/> in what arrives from now on (call it before
    /// sending what makes it appear); the task ends when it has arrived.
    /// </summary>
    public Task ExpectAsync(string marker, TimeSpan limit)
    {
        var expectation = new Expectation(marker);
        lock (_gate)
        {
            if (_closed) throw new InvalidOperationException($"The terminal closed before '{marker}' arrived.");
            _expected = expectation;
            _window.Clear();
        }

        return expectation.Arrived.Task.WaitAsync(limit);
    }

    private async Task ReceiveAsync()
    {
        var buffer = new byte[256 << 10];
        var chars = new char[Encoding.UTF8.GetMaxCharCount(buffer.Length)];
        while (_socket.State == WebSocketState.Open)
        {
            WebSocketReceiveResult result;
            try
            {
                result = await _socket.ReceiveAsync(buffer, CancellationToken.None);
            }
            catch (WebSocketException)
            {
                break;
            }

            if (result.MessageType == WebSocketMessageType.Close) break;
            BytesReceived += result.Count;
            var count = _utf8.GetChars(buffer, 0, result.Count, chars, 0);
            lock (_gate)
            {
                if (_expected is not { } expected) continue;
                // Only the new text and the end of the old can hold the marker: the search stays linear.
                _window.Append(chars, 0, count);
                if (!_ours && result.EndOfMessage) _window.Append('\n'); // websocketd sends a line per message
                if (_window.ToString().Contains(expected.Marker, StringComparison.Ordinal))
                {
                    _expected = null;
                    expected.Arrived.TrySetResult();
                }
                else if (_window.Length > expected.Marker.Length)
                {
                    _window.Remove(0, _window.Length - expected.Marker.Length);
                }
            }
        }

        lock (_gate)
        {
            _closed = true;
            _expected?.Arrived.TrySetException(new InvalidOperationException($"The terminal closed ({_socket.CloseStatus} {_socket.CloseStatusDescription}) before '{_expected.Marker}' arrived."));
        }
    }

    private sealed record Expectation(string Marker)
    {
        public TaskCompletionSource Arrived { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    public async ValueTask DisposeAsync()
    {
        if (_socket.State == WebSocketState.Open)
        {
            try
            {
                await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
            }
            catch (WebSocketException)
            {
                // the other end went first
            }
        }

        _socket.Dispose();
    }
}
