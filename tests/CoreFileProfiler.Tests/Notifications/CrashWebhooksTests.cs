using System.Diagnostics;
using CoreFileProfiler.Silo.Notifications;
using CoreFileProfiler.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace CoreFileProfiler.Tests.Notifications;

/// <summary>The sender against real HTTP servers on loopback, with a fake clock for its timeouts and back-off.</summary>
public sealed class CrashWebhooksTests
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(10);
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly RecordingLogger<CrashWebhooks> _log = new();

    private CrashWebhooks Webhooks(params string[] urls) => new(WebhookUrls.Parse(urls), _time, _log);

    [Fact]
    public async Task Every_url_gets_every_event_as_structured_cloudevents_json()
    {
        await using var first = new WebhookReceiver();
        await using var second = new WebhookReceiver(status: 200);
        await using var webhooks = Webhooks(first.Url, second.Url);

        webhooks.CrashFiled("node-a", SampleCrashGroups.Of("sig-a", 1), newGroup: true);
        webhooks.CrashFiled("node-a", SampleCrashGroups.Of("sig-b", 1), newGroup: true);

        foreach (var receiver in new[] { first, second })
        {
            var (contentType, body) = await receiver.NextAsync(Within);
            Assert.Equal("application/cloudevents+json", contentType?.Split(';')[0]);
            Assert.Equal("sig-a", body.GetProperty("data").GetProperty("signature").GetString());
            Assert.Equal("sig-b", (await receiver.NextAsync(Within)).Body.GetProperty("data").GetProperty("signature").GetString());
        }

        Assert.Empty(_log.Lines);
    }

    [Fact]
    public async Task A_dead_receiver_costs_one_log_line_per_attempt_never_a_stack_trace_and_delays_no_other()
    {
        var dead = $"http://127.0.0.1:{WebhookReceiver.FreeLoopbackPort()}/hook";
        await using var live = new WebhookReceiver();
        await using var webhooks = Webhooks(dead, live.Url);

        var clock = Stopwatch.StartNew();
        for (var i = 1; i <= 1000; i++) webhooks.CrashFiled("node-a", SampleCrashGroups.Of("sig-a", i), newGroup: i == 1);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"1000 crashes took {clock.Elapsed} to file");

        Assert.Equal(1, (await live.NextAsync(Within)).Body.GetProperty("data").GetProperty("count").GetInt64());
        for (var attempt = 1; attempt < WebhookSender.MaxAttempts; attempt++)
        {
            await WaitForAsync(() => _log.Lines.Count == attempt);
            _time.Advance(WebhookSender.FirstRetryDelay * Math.Pow(2, attempt - 1));
        }

        await WaitForAsync(() => _log.Lines.Count == WebhookSender.MaxAttempts);
        Assert.All(_log.Lines, line => Assert.False(line.HasException));
        Assert.All(_log.Lines, line => Assert.Contains("Connection refused", line.Message, StringComparison.Ordinal));
        Assert.Equal(["WebhookRetrying", "WebhookRetrying", "WebhookRetrying", "WebhookGaveUp"], _log.Lines.Select(l => l.Event));
        Assert.DoesNotContain("/hook", string.Join('\n', _log.Lines.Select(l => l.Message)), StringComparison.Ordinal); // a URL's path may be a token
    }

    [Fact]
    public async Task A_receiver_that_does_not_answer_costs_one_log_line_per_request_timeout_and_is_tried_again()
    {
        await using var slow = new WebhookReceiver(delay: TimeSpan.FromSeconds(30));
        await using var webhooks = Webhooks(slow.Url);

        webhooks.CrashFiled("node-a", SampleCrashGroups.Of("sig-a", 1), newGroup: true);
        await slow.NextAsync(Within);
        _time.Advance(WebhookSender.RequestTimeout);

        await WaitForAsync(() => _log.Lines.Count == 1);
        Assert.Contains("no answer within 10 s", _log.Lines[0].Message, StringComparison.Ordinal);
        Assert.Equal(1, slow.Arrived);
        _time.Advance(WebhookSender.FirstRetryDelay);
        await WaitForAsync(() => slow.Arrived == 2);
    }

    [Fact]
    public async Task A_redirect_is_not_followed_and_not_retried()
    {
        await using var elsewhere = new WebhookReceiver();
        await using var redirecting = new WebhookReceiver(status: 307, location: elsewhere.Url);
        await using var webhooks = Webhooks(redirecting.Url);

        webhooks.CrashFiled("node-a", SampleCrashGroups.Of("sig-a", 1), newGroup: true);

        await redirecting.NextAsync(Within);
        await WaitForAsync(() => _log.Lines.Count == 1);
        Assert.Equal("WebhookGaveUp", _log.Lines[0].Event);
        Assert.Contains("answered 307; redirects are not followed", _log.Lines[0].Message, StringComparison.Ordinal);
        Assert.Equal(0, elsewhere.Arrived);
    }

    [Fact]
    public async Task A_receiver_behind_for_long_keeps_the_newest_events_and_logs_each_one_dropped()
    {
        await using var slow = new WebhookReceiver(delay: TimeSpan.FromSeconds(30));
        await using var webhooks = Webhooks(slow.Url);

        webhooks.CrashFiled("node-a", SampleCrashGroups.Of("sig-0", 1), newGroup: true);
        await slow.NextAsync(Within); // the sender now waits on it
        for (var group = 1; group <= WebhookSender.QueueLength + 5; group++) webhooks.CrashFiled("node-a", SampleCrashGroups.Of($"sig-{group}", 1), newGroup: true);

        var dropped = _log.Lines.Where(l => l.Event == "WebhookQueueFull").ToList();
        Assert.Equal(5, dropped.Count);
        Assert.Contains("sig-1", dropped[0].Message, StringComparison.Ordinal); // the oldest went first
        Assert.Contains("sig-5", dropped[^1].Message, StringComparison.Ordinal);
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < Within, "The condition did not hold within 10 s.");
            await Task.Delay(20);
        }
    }
}
