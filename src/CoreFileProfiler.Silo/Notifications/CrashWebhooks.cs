using CoreFileProfiler.Grains.Crashes;

namespace CoreFileProfiler.Silo.Notifications;

/// <summary>
/// Tells every <c>Profiler:Webhooks</c> URL of crashes as CloudEvents (README, Notifications;
/// docs/architecture.md, Crash notifications). Registered only when URLs are configured.
/// <see cref="CrashFiled"/> is called on the reporting path and returns at once: it only counts the
/// crash and, when the group may be announced, encodes the event once and queues it for each receiver.
/// </summary>
public sealed class CrashWebhooks : ICrashObserver, IAsyncDisposable
{
    private readonly TimeProvider _time;
    private readonly HttpMessageInvoker _http;
    private readonly IReadOnlyList<WebhookSender> _senders;
    private readonly CrashEventThrottle _throttle;

    public CrashWebhooks(WebhookUrls urls, TimeProvider time, ILogger<CrashWebhooks> logger)
    {
        _time = time;
        _http = new HttpMessageInvoker(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            ConnectTimeout = WebhookSender.RequestTimeout,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(2),
        });
        _senders = urls.Urls.Select(url => new WebhookSender(url, _http, time, logger)).ToList();
        _throttle = new CrashEventThrottle(time, Send);
    }

    public void CrashFiled(string node, CrashGroup group, bool newGroup) => _throttle.Filed(node, group, newGroup);

    private void Send(CrashNotice notice)
    {
        var (body, contentType) = CrashCloudEvent.Encode(notice, _time.GetUtcNow());
        var webhookEvent = new WebhookEvent(body, contentType, $"{notice.Group.Namespace}/{notice.Group.Container} {notice.Group.Signature}");
        foreach (var sender in _senders) sender.Enqueue(webhookEvent);
    }

    public async ValueTask DisposeAsync()
    {
        _throttle.Dispose();
        foreach (var sender in _senders) await sender.DisposeAsync();
        _http.Dispose();
    }
}
