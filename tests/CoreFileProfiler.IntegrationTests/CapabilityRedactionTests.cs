using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text.Json;
using CoreFileProfiler.IntegrationTests.Support;

namespace CoreFileProfiler.IntegrationTests;

/// <summary>Capabilities never leave the URL (docs/architecture.md, Trust model): what operators read holds hashes, never ids.</summary>
public sealed class CapabilityRedactionTests
{
    private const string File = "app/7_20261127-120000";

    [Fact]
    public async Task After_every_session_endpoint_was_used_no_log_line_or_metric_holds_a_session_or_terminal_id()
    {
        using var temp = new TempDirectory();
        // More than the default: ASP.NET's own request lines and scopes name the full path at these levels.
        await using var silo = await SiloProcess.StartAsync(
            temp.Path, "--Serilog:MinimumLevel:Default=Debug", "--Serilog:MinimumLevel:Override:Microsoft.AspNetCore=Debug", "--Serilog:MinimumLevel:Override:Orleans=Information");
        var core = Path.Join(silo.CoreRoot, "kubernetes", "default", "leaky", File);
        Directory.CreateDirectory(Path.GetDirectoryName(core)!);
        await System.IO.File.WriteAllBytesAsync(core, new byte[300_000]);
        using var sleeper = Process.Start("sleep", "120")!;
        var http = silo.Http;
        try
        {
            // A coredump session: page, JSON, a resumed download, a gdb terminal with a viewer who types.
            var session = await SiloFixture.OpenSessionAsync(silo, SiloFixture.CoredumpRequest("leaky", "app"));
            var id = session.Split('/')[2];
            Assert.Contains(File, await http.GetStringAsync(session), StringComparison.Ordinal);
            Assert.Contains(File, await http.GetStringAsync(session + "api"), StringComparison.Ordinal);
            using (var range = new HttpRequestMessage(HttpMethod.Get, session + "files/" + File) { Headers = { Range = new RangeHeaderValue(1000, 1999) } })
            using (var partial = await http.SendAsync(range))
            {
                Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
                Assert.Equal(1000, (await partial.Content.ReadAsByteArrayAsync()).Length);
            }

            var opened = await SiloFixture.OpenTerminalBodyAsync(http, session, File);
            var (terminal, page, ws) = (opened.GetProperty("id").GetString()!, opened.GetProperty("url").GetString()!, opened.GetProperty("ws").GetString()!);
            var watchId = new Uri(opened.GetProperty("watch").GetString()!).Segments[2].TrimEnd('/');
            Assert.Contains("xterm", await http.GetStringAsync(page), StringComparison.Ordinal);
            await using (var viewer = await TerminalClient.ConnectAsync(ws, origin: $"http://127.0.0.1:{silo.Port}"))
            await using (var watcher = await TerminalClient.ConnectAsync(opened.GetProperty("watchWs").GetString()!))
            {
                await viewer.WaitForAsync("(gdb) ");
                await viewer.ResizeAsync(100, 30);
                await viewer.TypeAsync("print 6*7\n");
                await viewer.WaitForAsync("= 42");
                await watcher.WaitForAsync("= 42");
            }

            Assert.Contains("xterm", await http.GetStringAsync($"/watch/{watchId}/"), StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"/watch/{watchId}/api")).StatusCode);
            Assert.Contains("print 6*7", await http.GetStringAsync(session + $"terminals/{terminal}/recording"), StringComparison.Ordinal);

            // A gcore session of a host process (loopback is admin without a token) and a snapshot of it.
            var live = await SiloFixture.OpenSessionAsync(silo, new Dictionary<string, string>
            {
                [SiloFixture.Parameter + "expiration_seconds"] = "60",
                [SiloFixture.Parameter + "type"] = "gcore",
                [SiloFixture.Parameter + "pid"] = sleeper.Id.ToString(CultureInfo.InvariantCulture),
            });
            using (var snapshot = await http.PostAsJsonAsync(live + "snapshots", new { pid = sleeper.Id }))
            {
                Assert.True(snapshot.StatusCode == HttpStatusCode.Created, await snapshot.Content.ReadAsStringAsync());
            }

            // Live attach, whose every typed line is audited.
            using (var attached = await http.PostAsJsonAsync(live + "terminals", new { pid = sleeper.Id }))
            {
                Assert.True(attached.StatusCode == HttpStatusCode.Created, await attached.Content.ReadAsStringAsync());
                await using var admin = await TerminalClient.ConnectAsync((await attached.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("ws").GetString()!);
                await admin.WaitForAsync("(gdb) ");
                await admin.TypeAsync("print 20+22\n");
                await admin.WaitForAsync("= 42");
            }

            // The ends: closed by its URL and by the cluster API, then 410; an id never issued is 404.
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/api/sessions")).StatusCode);
            Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync(session)).StatusCode);
            Assert.Equal(HttpStatusCode.Gone, (await http.GetAsync(session + "api")).StatusCode);
            var afterEnd = await Assert.ThrowsAsync<WebSocketException>(() => TerminalClient.ConnectAsync(ws));
            Assert.Contains("410", afterEnd.Message, StringComparison.Ordinal);
            var liveId = live.Split('/')[2];
            Assert.Equal(HttpStatusCode.NoContent, (await http.DeleteAsync($"/api/sessions/{liveId}")).StatusCode);
            var guessed = GuessedId();
            Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"/sessions/{guessed}/api")).StatusCode);

            var log = await LogThroughAsync(silo, CapabilityLeaks.HashOf(guessed));
            var metrics = await http.GetStringAsync("/metrics");

            string[] capabilities = [id, terminal, watchId, liveId, guessed];
            Assert.Contains("LiveAttachInput", log, StringComparison.Ordinal); // the audit was scanned too
            var leaks = CapabilityLeaks.In(log, capabilities).Concat(CapabilityLeaks.In(metrics, capabilities)).ToList();
            Assert.True(leaks.Count == 0, "Capabilities leaked:\n" + string.Join("\n\n", leaks));

            // What the log says instead: hashes, as properties and in the request paths.
            var events = log.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement).ToList();
            Assert.Contains(events, e => Property(e, "SessionHash") == CapabilityLeaks.HashOf(id) && Property(e, "TerminalHash") == CapabilityLeaks.HashOf(terminal));
            Assert.Contains(events, e => Property(e, "RequestPath") == $"/sessions/<redacted:{CapabilityLeaks.HashOf(id)}>/terminals/<redacted:{CapabilityLeaks.HashOf(terminal)}>/ws");
            Assert.Contains(events, e => Property(e, "RequestPath") == $"/api/sessions/<redacted:{CapabilityLeaks.HashOf(liveId)}>");
        }
        finally
        {
            sleeper.Kill();
        }
    }

    /// <summary>An id as this node would issue it now, but never did: a well-formed guess reaches the session's grain, and is 404.</summary>
    private static string GuessedId()
    {
        var token = new byte[21];
        BinaryPrimitives.WriteUInt32BigEndian(token, (uint)DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        RandomNumberGenerator.Fill(token.AsSpan(4));
        return $"{SiloProcess.NodeName}.{Convert.ToBase64String(token).Replace('+', '-').Replace('/', '_')}";
    }

    /// <summary>The log once the request line that names <paramref name="hash"/> is in it (the request log is written after the response).</summary>
    private static async Task<string> LogThroughAsync(SiloProcess silo, string hash)
    {
        var clock = Stopwatch.StartNew();
        while (!silo.Log().Contains($"<redacted:{hash}>", StringComparison.Ordinal) && clock.Elapsed < TimeSpan.FromSeconds(10)) await Task.Delay(50);
        return silo.Log();
    }

    private static string? Property(JsonElement logEvent, string name) =>
        logEvent.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
