using System.Diagnostics;
using CoreFileProfiler.IntegrationTests.Support;

namespace CoreFileProfiler.IntegrationTests;

/// <summary>
/// Crash CloudEvents from a real silo process to real HTTP receivers in the test, for crashes the real
/// collector files: one event per new group at once, a crash loop coalesced, and receivers that are dead
/// or slow costing a log line each, nothing more.
/// </summary>
[Collection(CrashNotificationsTests.Name)]
public sealed class WebhookTests(CrashNotificationsFixture fixture)
{
    private static readonly TimeSpan ReportWithin = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_crash_loop_is_one_event_at_once_and_no_more_within_the_minute_while_dead_and_slow_receivers_cost_only_log_lines()
    {
        const string Pod = "webhook-loop-7d9c", Container = "looping";
        var clock = Stopwatch.StartNew();
        await fixture.CollectCrashAsync(fixture.Crasher, Pod, Container);

        var (contentType, cloudEvent) = await fixture.Live.NextAsync(ReportWithin);
        var firstEventAfter = clock.Elapsed;
        Assert.Equal("application/cloudevents+json", contentType?.Split(';')[0]);
        Assert.Equal("1.0", cloudEvent.GetProperty("specversion").GetString());
        Assert.Equal("io.kubediag.corefile.crash", cloudEvent.GetProperty("type").GetString());
        Assert.Equal($"/nodes/{fixture.Silo.Node}", cloudEvent.GetProperty("source").GetString());
        var data = cloudEvent.GetProperty("data");
        Assert.Equal((SiloFixture.Namespace, Pod, Container), (data.GetProperty("namespace").GetString(), data.GetProperty("pod").GetString(), data.GetProperty("container").GetString()));
        Assert.Equal(11, data.GetProperty("signal").GetInt32());
        Assert.Contains(CrashingProgram.CrashingFunction, data.GetProperty("summary").GetString(), StringComparison.Ordinal);
        Assert.Equal((1L, 1L), (data.GetProperty("count").GetInt64(), data.GetProperty("countSinceLastEvent").GetInt64()));
        Assert.False(string.IsNullOrEmpty(data.GetProperty("signature").GetString()));

        // Twelve more: the group counts 13, and the receivers hear nothing more until its minute is up.
        for (var i = 0; i < 12; i++) await fixture.CollectCrashAsync(fixture.Crasher, Pod, Container);
        await fixture.CrashGroupAsync(Container, 13, ReportWithin);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(55), $"the loop took {clock.Elapsed}: too long to tell coalescing from the minute");
        Assert.Single(fixture.Live.Received, r => IsOf(r.Body, Container));

        // The slow receiver got the same event (it answers only after 30 s), the dead one refused it: the gateway answers as ever.
        Assert.Single(fixture.Slow.Received, r => IsOf(r.Body, Container));
        var answered = Stopwatch.StartNew();
        using (var nodes = await fixture.Silo.Http.GetAsync("/api/nodes")) Assert.True(nodes.IsSuccessStatusCode);
        Assert.True(answered.Elapsed < TimeSpan.FromSeconds(2), $"/api/nodes took {answered.Elapsed}");

        var log = fixture.Silo.Log().Split('\n');
        var dead = log.Where(line => line.Contains($"127.0.0.1:{fixture.DeadPort}", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(dead);
        Assert.All(dead, line => Assert.Contains("Connection refused", line, StringComparison.Ordinal));
        Assert.All(dead, line => Assert.DoesNotContain("\"@x\"", line, StringComparison.Ordinal)); // no exception, so no stack trace
        Assert.DoesNotContain(log, line => line.TrimStart().StartsWith("at ", StringComparison.Ordinal));
        Assert.DoesNotContain(log, line => line.Contains("/hook", StringComparison.Ordinal)); // a URL's path may be a token
        Console.WriteLine($"webhooks: first event {firstEventAfter.TotalSeconds:0.0} s after the crash was filed; dead receiver: {dead.Count} log lines");
    }

    private static bool IsOf(System.Text.Json.JsonElement cloudEvent, string container) =>
        cloudEvent.GetProperty("data").GetProperty("container").GetString() == container;

    [Fact]
    public async Task A_webhook_that_is_not_an_http_url_refuses_the_start_in_one_line()
    {
        var (code, output) = await SiloProcess.RunToRefusalAsync("--Profiler:Webhooks:0=http://127.0.0.1:9/hook", "--Profiler:Webhooks:1=file:///etc/shadow");

        Assert.Equal(1, code);
        Assert.Contains("refusing to start: Profiler:Webhooks: 'file:///etc/shadow' is not an absolute http or https URL", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }
}
