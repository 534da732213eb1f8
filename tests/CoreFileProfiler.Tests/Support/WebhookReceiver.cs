using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Threading.Channels;

namespace CoreFileProfiler.Tests.Support;

/// <summary>
/// A real HTTP server on a free loopback port that takes webhook POSTs at <see cref="Url"/> and answers each
/// with <c>status</c> (a redirect with its <c>Location</c>) after <c>delay</c>. Shared by the unit and the integration tests.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Channel<(string? ContentType, JsonElement Body)> _received = Channel.CreateUnbounded<(string?, JsonElement)>();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _serving;
    private readonly int _status;
    private readonly TimeSpan _delay;
    private readonly string? _location;

    public WebhookReceiver(int status = 204, TimeSpan delay = default, string? location = null)
    {
        _status = status;
        _delay = delay;
        _location = location;
        var port = FreeLoopbackPort();
        Url = $"http://127.0.0.1:{port}/hook";
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Start();
        _serving = Task.Run(ServeAsync);
    }

    public string Url { get; }

    private readonly List<(string? ContentType, JsonElement Body)> _all = [];

    /// <summary>Every POST that arrived so far, in order: its Content-Type and its JSON body.</summary>
    public IReadOnlyList<(string? ContentType, JsonElement Body)> Received
    {
        get { lock (_all) return [.. _all]; }
    }

    /// <summary>Requests that arrived, answered or not yet.</summary>
    public int Arrived => Volatile.Read(ref _arrived);

    private int _arrived;

    /// <summary>The next POST, or a timeout naming how long it waited.</summary>
    public async Task<(string? ContentType, JsonElement Body)> NextAsync(TimeSpan within)
    {
        using var wait = new CancellationTokenSource(within);
        try
        {
            return await _received.Reader.ReadAsync(wait.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"No webhook POST reached {Url} within {within.TotalSeconds} s.");
        }
    }

    /// <summary>A loopback port nothing listens on: a dead receiver's.</summary>
    public static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private async Task ServeAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return; // stopped
            }

            _ = Task.Run(() => AnswerAsync(context));
        }
    }

    private async Task AnswerAsync(HttpListenerContext context)
    {
        try
        {
            Interlocked.Increment(ref _arrived);
            var body = await JsonDocument.ParseAsync(context.Request.InputStream);
            var received = (context.Request.ContentType, body.RootElement.Clone());
            lock (_all) _all.Add(received);
            _received.Writer.TryWrite(received);
            if (_delay > TimeSpan.Zero) await Task.Delay(_delay, _stopping.Token);
            context.Response.StatusCode = _status;
            if (_location is not null) context.Response.RedirectLocation = _location;
            context.Response.Close();
        }
        catch (Exception e) when (e is OperationCanceledException or HttpListenerException or JsonException or ObjectDisposedException)
        {
            context.Response.Abort();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        _listener.Close();
        await _serving;
        _stopping.Dispose();
    }
}
