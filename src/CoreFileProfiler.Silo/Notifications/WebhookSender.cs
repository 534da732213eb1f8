using System.Threading.Channels;

namespace CoreFileProfiler.Silo.Notifications;

/// <summary>
/// Delivers events to one webhook URL, in order, from a queue of its own, so a slow or dead receiver
/// delays only itself (docs/architecture.md, Crash notifications). Each event is tried up to
/// <see cref="MaxAttempts"/> times, each attempt bounded by <see cref="RequestTimeout"/>, waiting
/// <see cref="FirstRetryDelay"/> and then twice as long before each further attempt. While the receiver
/// does not answer, the queue keeps the newest <see cref="QueueLength"/> events: the oldest go first,
/// each with a log line. Every failed attempt is one log line without a stack trace.
/// </summary>
public sealed partial class WebhookSender : IAsyncDisposable
{
    public const int QueueLength = 100;
    public const int MaxAttempts = 4;
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan FirstRetryDelay = TimeSpan.FromSeconds(2);

    private readonly Uri _url;
    private readonly HttpMessageInvoker _http;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Channel<WebhookEvent> _queue;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _delivering;
    private readonly string _receiver;

    /// <param name="http">Must not follow redirects: a receiver answers for itself, never sends the event elsewhere.</param>
    public WebhookSender(Uri url, HttpMessageInvoker http, TimeProvider time, ILogger logger)
    {
        _url = url;
        _http = http;
        _time = time;
        _logger = logger;
        // Log lines name the receiver by scheme, host and port: a URL's path and query often hold a token.
        _receiver = $"{url.Scheme}://{url.IdnHost}:{url.Port}";
        _queue = Channel.CreateBounded<WebhookEvent>(
            new BoundedChannelOptions(QueueLength) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
            dropped => LogDropped(_logger, _receiver, dropped.Group, QueueLength));
        // The loop outlives the call that made the sender (a report, a request): its log lines must not carry that call's scope or trace.
        using (ExecutionContext.SuppressFlow()) _delivering = Task.Run(DeliverAllAsync);
    }

    /// <summary>Queues the event for this receiver; never waits.</summary>
    public void Enqueue(WebhookEvent webhookEvent) => _queue.Writer.TryWrite(webhookEvent);

    private async Task DeliverAllAsync()
    {
        try
        {
            await foreach (var webhookEvent in _queue.Reader.ReadAllAsync(_stopping.Token))
            {
                await DeliverAsync(webhookEvent);
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // stopping: what is still queued goes with the process
        }
    }

    private async Task DeliverAsync(WebhookEvent webhookEvent)
    {
        var delay = FirstRetryDelay;
        for (var attempt = 1; ; attempt++)
        {
            var (failure, permanent) = await TryPostAsync(webhookEvent);
            if (failure is null) return;
            if (permanent || attempt == MaxAttempts)
            {
                LogGaveUp(_logger, _receiver, webhookEvent.Group, attempt, failure);
                return;
            }

            LogRetrying(_logger, _receiver, webhookEvent.Group, attempt, failure, delay.TotalSeconds);
            await Task.Delay(delay, _time, _stopping.Token);
            delay *= 2;
        }
    }

    /// <summary>One POST: null when the receiver took the event, else why not and whether trying again could help.</summary>
    private async Task<(string? Failure, bool Permanent)> TryPostAsync(WebhookEvent webhookEvent)
    {
        using var timeout = new CancellationTokenSource(RequestTimeout, _time);
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token, timeout.Token);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, _url) { Content = new ReadOnlyMemoryContent(webhookEvent.Body) };
            request.Content.Headers.ContentType = webhookEvent.ContentType;
            using var response = await _http.SendAsync(request, attempt.Token);
            var status = (int)response.StatusCode;
            return status switch
            {
                >= 200 and < 300 => (null, false),
                >= 300 and < 400 => ($"answered {status}; redirects are not followed", true),
                408 or 429 or >= 500 => ($"answered {status}", false),
                _ => ($"answered {status}", true),
            };
        }
        catch (OperationCanceledException) when (!_stopping.IsCancellationRequested)
        {
            return ($"no answer within {RequestTimeout.TotalSeconds:0} s", false);
        }
        catch (HttpRequestException e)
        {
            return (e.Message, false); // one line, e.g. "Connection refused (127.0.0.1:8080)"; no stack trace per failure
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _stopping.CancelAsync();
        await _delivering;
        _stopping.Dispose();
    }

    [LoggerMessage(EventName = "WebhookRetrying", Level = LogLevel.Warning, Message = "Webhook {Receiver} did not take the event of crash group {Group} (attempt {Attempt}): {Failure}; trying again in {DelaySeconds} s")]
    private static partial void LogRetrying(ILogger logger, string receiver, string group, int attempt, string failure, double delaySeconds);

    [LoggerMessage(EventName = "WebhookGaveUp", Level = LogLevel.Warning, Message = "Webhook {Receiver} did not take the event of crash group {Group} (attempt {Attempt}, the last): {Failure}")]
    private static partial void LogGaveUp(ILogger logger, string receiver, string group, int attempt, string failure);

    [LoggerMessage(EventName = "WebhookQueueFull", Level = LogLevel.Warning, Message = "Webhook {Receiver} is {QueueLength} events behind: dropped the oldest, of crash group {Group}")]
    private static partial void LogDropped(ILogger logger, string receiver, string group, int queueLength);
}
