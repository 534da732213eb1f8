using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using CoreFileProfiler.IntegrationTests.Support;
using Xunit.Abstractions;

namespace CoreFileProfiler.IntegrationTests;

/// <summary>
/// Hostile clients against a real silo process (issue 14, gateway limits): more viewers than a terminal
/// admits, hundreds of slow bodies, a viewer flooding gdb's input, more gdb processes than the node runs.
/// Each is refused the way a client can see, and honest clients go on meanwhile.
/// </summary>
public sealed class GatewayLimitsTests(GatewayLimitsFixture fixture, ITestOutputHelper output) : IClassFixture<GatewayLimitsFixture>
{
    private const string Prompt = "(gdb) ";
    private const int MaxViewers = 32;                                  // Profiler:MaxViewersPerTerminal's default
    private static readonly TimeSpan BodyTimeout = TimeSpan.FromSeconds(10); // Profiler:RequestBodyTimeoutSeconds's default
    private static readonly TimeSpan CutOffSlack = TimeSpan.FromSeconds(3);
    private const long MaxRssGrowth = 150L << 20;

    private HttpClient Http => fixture.Silo.Http;

    [Fact]
    public async Task Forty_viewers_and_three_hundred_slow_bodies_keep_32_viewers_cut_every_body_off_in_time_and_the_silo_stays_small()
    {
        var (session, file) = await fixture.CrashAndOpenAsync("forty-viewers");
        var viewers = new List<TerminalClient>();
        try
        {
            var terminal = await SiloFixture.OpenTerminalBodyAsync(Http, session, file);
            var ws = terminal.GetProperty("ws").GetString()!;
            var watchWs = terminal.GetProperty("watchWs").GetString()!;
            await using (var first = await TerminalClient.ConnectAsync(ws)) await first.WaitForAsync(Prompt);
            var rssBefore = ResidentMemory.Of(fixture.Silo.Pid);
            await using var memory = new ResidentMemory(fixture.Silo.Pid, TimeSpan.FromMilliseconds(100));

            // 300 slowloris bodies: a byte every 2 s (10 KB declared, or the 4 MiB maximum), and some just above Kestrel's minimum rate.
            var clock = Stopwatch.StartNew();
            var giveUp = BodyTimeout * 3;
            var slow = Enumerable.Range(0, 300).Select(i => i switch
            {
                < 140 => SlowRequest.PostBodyAsync(fixture.Silo.Port, "/processor/coreFileProfiler", 10 << 10, 1, TimeSpan.FromSeconds(2), giveUp),
                < 280 => SlowRequest.PostBodyAsync(fixture.Silo.Port, "/processor/coreFileProfiler", 4 << 20, 1, TimeSpan.FromSeconds(2), giveUp),
                _ => SlowRequest.PostBodyAsync(fixture.Silo.Port, "/processor/coreFileProfiler", 4 << 20, 300, TimeSpan.FromSeconds(1), giveUp),
            }).ToList();

            // 40 viewers at once, every other one through the read-only watch link.
            var attempts = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => TryViewAsync(i % 2 == 0 ? ws : watchWs)));
            viewers.AddRange(attempts.Select(a => a.Viewer).OfType<TerminalClient>());
            var kept = attempts.Where(a => a.Refusal is null).Select(a => a.Viewer!).ToList();
            var refusals = attempts.Select(a => a.Refusal).OfType<string>().ToList();
            output.WriteLine($"viewers: {kept.Count} kept, refused: {string.Join(", ", refusals.GroupBy(r => r).Select(g => $"{g.Count()} × {g.Key}"))}");
            Assert.Equal(MaxViewers, kept.Count);
            Assert.Equal(40 - MaxViewers, refusals.Count);
            Assert.All(refusals, r => Assert.True(r is "503" or "1013", r));
            Assert.Equal(MaxViewers, await ViewerCountAsync(session));

            // What a refused client reads: a 503 before the upgrade, naming the setting.
            var (status, refusal) = await RawHttp.GetAsync(fixture.Silo.Port, new Uri(ws).PathAndQuery,
                "Connection: Upgrade, close\r\nUpgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n");
            Assert.Equal(503, status);
            Assert.Contains("application/problem+json", refusal, StringComparison.Ordinal);
            Assert.Contains("already has 32 viewers (Profiler:MaxViewersPerTerminal)", refusal, StringComparison.Ordinal);

            // Meanwhile an honest processor call is answered, and the kept viewers share gdb.
            var call = Stopwatch.StartNew();
            var honestSession = await fixture.OpenSessionAsync(SiloFixture.CoredumpRequest("forty-viewers", "app"));
            output.WriteLine($"an honest processor call under the load: {call.ElapsedMilliseconds} ms");
            Assert.Equal(HttpStatusCode.NoContent, (await Http.DeleteAsync(honestSession)).StatusCode);
            var writer = attempts.Where((a, i) => i % 2 == 0 && a.Refusal is null).First().Viewer!; // not a watcher: it may type
            await writer.TypeAsync("print 6*7\n");
            await Task.WhenAll(kept.Select(v => v.WaitForAsync("$1 = 42", TimeSpan.FromSeconds(30))));

            // A viewer that leaves frees its place for the next.
            await kept[^1].DisposeAsync();
            await WaitUntilAsync(async () => await ViewerCountAsync(session) < MaxViewers, "a freed viewer place");
            var next = await TerminalClient.ConnectAsync(ws);
            viewers.Add(next);
            await next.WaitForAsync("$1 = 42");

            var bodies = await Task.WhenAll(slow);
            var rssPeak = memory.Peak;
            var cutOffs = bodies.Select(b => b.CutOffAfter).OfType<TimeSpan>().Order().ToList();
            output.WriteLine($"slow bodies: {cutOffs.Count} of {bodies.Length} cut off; after {Seconds(cutOffs.FirstOrDefault())} (first), "
                + $"{Seconds(cutOffs.ElementAtOrDefault(cutOffs.Count / 2))} (median), {Seconds(cutOffs.LastOrDefault())} (last); "
                + $"statuses: {string.Join(", ", bodies.GroupBy(b => b.Status?.ToString(CultureInfo.InvariantCulture) ?? "none").Select(g => $"{g.Count()} × {g.Key}"))}; all done after {Seconds(clock.Elapsed)}");
            output.WriteLine($"silo RSS: {Mib(rssBefore)} before, {Mib(rssPeak)} peak, {Mib(memory.Now)} after");
            Assert.All(bodies, b => Assert.True(b.CutOffAfter <= BodyTimeout + CutOffSlack, $"a slow body was held {b.CutOffAfter?.ToString() ?? "to the end"}"));
            Assert.All(bodies, b => Assert.True(b.Status is null or 408, $"a slow body was answered {b.Status}"));
            Assert.True(rssPeak - rssBefore < MaxRssGrowth, $"the silo grew from {Mib(rssBefore)} to {Mib(rssPeak)}");
            Assert.True(await fixture.Silo.IsReadyAsync());
        }
        finally
        {
            foreach (var viewer in viewers) await viewer.DisposeAsync();
            await Http.DeleteAsync(session);
        }
    }

    [Fact]
    public async Task Headers_that_never_end_are_cut_off_within_the_header_timeout_and_honest_calls_go_on()
    {
        var headerTimeout = TimeSpan.FromSeconds(10); // Profiler:RequestHeadersTimeoutSeconds's default
        var slow = Enumerable.Range(0, 50).Select(_ => SlowRequest.HeadersAsync(fixture.Silo.Port, TimeSpan.FromSeconds(1), headerTimeout * 3)).ToList();

        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Equal(HttpStatusCode.OK, (await Http.GetAsync("/healthz")).StatusCode);
        var cut = await Task.WhenAll(slow);

        var after = cut.Select(c => c.CutOffAfter).OfType<TimeSpan>().Order().ToList();
        output.WriteLine($"slow headers: {after.Count} of {cut.Length} cut off, after {Seconds(after.FirstOrDefault())} to {Seconds(after.LastOrDefault())}; "
            + $"statuses: {string.Join(", ", cut.GroupBy(c => c.Status?.ToString(CultureInfo.InvariantCulture) ?? "none").Select(g => $"{g.Count()} × {g.Key}"))}");
        Assert.All(cut, c => Assert.True(c.CutOffAfter <= headerTimeout + CutOffSlack, $"slow headers were held {c.CutOffAfter?.ToString() ?? "to the end"}"));
    }

    [Fact]
    public async Task A_viewer_flooding_input_is_closed_with_1008_while_the_others_still_see_gdb()
    {
        var (session, file) = await fixture.CrashAndOpenAsync("flood-pod");
        try
        {
            var (_, _, ws) = await SiloFixture.OpenTerminalAsync(Http, session, file);
            await using var honest = await TerminalClient.ConnectAsync(ws);
            await using var flooder = await TerminalClient.ConnectAsync(ws);
            await honest.WaitForAsync(Prompt);

            // gdb is busy and reads no input for a while; the flooder types 60 KB lines as fast as it can.
            await honest.TypeAsync("python import time; time.sleep(8)\n");
            await Task.Delay(500);
            var line = JsonSerializer.Serialize(new { type = "input", data = new string('x', 60_000) + "\n" });
            var clock = Stopwatch.StartNew();
            long typed = 0;
            var flooding = Task.Run(async () =>
            {
                try
                {
                    while (flooder.CloseStatus is null && clock.Elapsed < TimeSpan.FromSeconds(30))
                    {
                        await flooder.SendAsync(line);
                        typed += line.Length;
                    }
                }
                catch (Exception e) when (e is WebSocketException or ObjectDisposedException or IOException)
                {
                    // the server closed or reset the connection
                }
            });

            await flooder.WaitClosedAsync(TimeSpan.FromSeconds(30));
            output.WriteLine($"flooder closed after {Seconds(clock.Elapsed)}, having sent {typed >> 10} KiB: {flooder.CloseStatus} '{flooder.CloseReason}'");
            Assert.Equal(WebSocketCloseStatus.PolicyViolation, flooder.CloseStatus);
            Assert.Contains("faster than the terminal reads it", flooder.CloseReason, StringComparison.Ordinal);
            await flooding.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Contains("disconnected a viewer", fixture.Silo.Log(), StringComparison.Ordinal);

            // gdb wakes, reads what was queued (the flood's lines are no commands), and answers the honest viewer.
            await honest.WaitForAsync("Undefined command", TimeSpan.FromSeconds(30));
            await honest.TypeAsync("print 6*7\n");
            await honest.WaitForAsync("$1 = 42", TimeSpan.FromSeconds(30));
            Assert.Null(honest.CloseStatus);
        }
        finally
        {
            await Http.DeleteAsync(session);
        }
    }

    [Fact]
    public async Task Beyond_the_nodes_gdb_cap_terminals_and_snapshots_are_refused_with_503_until_one_ends()
    {
        var (session, file) = await fixture.CrashAndOpenAsync("gdb-cap-pod");
        using var sleeper = Process.Start("sleep", "120");
        var live = await fixture.OpenSessionAsync(new Dictionary<string, string>
        {
            [SiloFixture.Parameter + "expiration_seconds"] = "120",
            [SiloFixture.Parameter + "type"] = "gcore",
            [SiloFixture.Parameter + "pid"] = sleeper.Id.ToString(CultureInfo.InvariantCulture), // loopback is admin without a token
        });
        try
        {
            var first = await SiloFixture.OpenTerminalAsync(Http, session, file);
            await SiloFixture.OpenTerminalAsync(Http, session, file);

            using (var third = await Http.PostAsJsonAsync(session + "terminals", new { file }))
            {
                await AssertCapRefusalAsync(third);
            }

            using (var snapshot = await Http.PostAsJsonAsync(live + "snapshots", new { pid = sleeper.Id }))
            {
                await AssertCapRefusalAsync(snapshot);
            }

            // The first gdb quits: its slot is free again, for a snapshot, and then (the snapshot done) for a terminal.
            await using (var viewer = await TerminalClient.ConnectAsync(first.Ws))
            {
                await viewer.WaitForAsync(Prompt);
                await viewer.TypeAsync("quit\n");
                await viewer.WaitClosedAsync(TimeSpan.FromSeconds(10));
            }

            await WaitUntilAsync(async () =>
            {
                using var snapshot = await Http.PostAsJsonAsync(live + "snapshots", new { pid = sleeper.Id });
                return snapshot.StatusCode == HttpStatusCode.Created;
            }, "a snapshot once a gdb has ended");
            using var reopened = await Http.PostAsJsonAsync(session + "terminals", new { file });
            Assert.Equal(HttpStatusCode.Created, reopened.StatusCode);
        }
        finally
        {
            await Http.DeleteAsync(session);
            await Http.DeleteAsync(live);
            sleeper.Kill();
        }
    }

    private static async Task AssertCapRefusalAsync(HttpResponseMessage response)
    {
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("already runs 2 gdb and gcore processes (Profiler:MaxGdbProcesses)", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    /// <summary>A viewer that joined (it got the prompt), or why it was refused: "503" before the upgrade, "1013" after.</summary>
    private static async Task<(TerminalClient? Viewer, string? Refusal)> TryViewAsync(string ws)
    {
        TerminalClient viewer;
        try
        {
            viewer = await TerminalClient.ConnectAsync(ws);
        }
        catch (WebSocketException e) when (e.Message.Contains("503", StringComparison.Ordinal))
        {
            return (null, "503");
        }

        try
        {
            await viewer.WaitForAsync(Prompt, TimeSpan.FromSeconds(30));
            return (viewer, null);
        }
        catch (InvalidOperationException) when (viewer.CloseStatus == (WebSocketCloseStatus)1013)
        {
            Assert.Contains("Profiler:MaxViewersPerTerminal", viewer.CloseReason, StringComparison.Ordinal);
            return (viewer, "1013");
        }
    }

    private async Task<int> ViewerCountAsync(string session) =>
        (await Http.GetFromJsonAsync<JsonElement>(session + "api")).GetProperty("terminals")[0].GetProperty("viewers").GetInt32();

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(10)) throw new TimeoutException($"No {what} within 10 s.");
            await Task.Delay(100);
        }
    }

    private static string Mib(long bytes) => $"{bytes / (1024.0 * 1024):0.0} MiB";

    private static string Seconds(TimeSpan? time) => time is { } t ? $"{t.TotalSeconds:0.0} s" : "-";
}
