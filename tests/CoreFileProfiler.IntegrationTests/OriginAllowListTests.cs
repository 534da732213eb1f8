using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using CoreFileProfiler.IntegrationTests.Support;

namespace CoreFileProfiler.IntegrationTests;

/// <summary>
/// Browsers' pages reach terminals, the processor and signed-in changes only from <c>Auth:AllowedOrigins</c>
/// (docs/architecture.md, Trust model), never by the Host header: a DNS-rebinding page sends a Host and an Origin that agree.
/// </summary>
[Collection(SiloTests.Name)]
public sealed class OriginAllowListTests(SiloFixture fixture)
{
    private const string Prompt = "(gdb) ";
    private const string Token = "origin-test-admin-token";
    private const string ConfiguredOrigin = "https://profiler.example.com";

    private SiloProcess Silo => fixture.Silo;

    [Fact]
    public async Task A_rebinding_page_is_refused_a_terminal_websocket_which_an_allowed_origin_and_no_origin_get()
    {
        var (session, file) = await fixture.CrashAndOpenAsync("rebinding-ws-pod");
        var (_, _, ws) = await SiloFixture.OpenTerminalAsync(Silo.Http, session, file);
        using var rebound = DnsRebinding.Client(Silo.Port);
        var reboundWs = ws.Replace($"127.0.0.1:{Silo.Port}", $"{DnsRebinding.Host}:{Silo.Port}", StringComparison.Ordinal);

        var refused = await Assert.ThrowsAsync<WebSocketException>(() => TerminalClient.ConnectAsync(reboundWs, DnsRebinding.Origin(Silo.Port), rebound));
        Assert.Contains("403", refused.Message, StringComparison.Ordinal);

        // The same connection, from a page of an allowed origin or from no page at all.
        foreach (var origin in new[] { $"http://localhost:{Silo.Port}", $"http://127.0.0.1:{Silo.Port}", $"http://[::1]:{Silo.Port}", null })
        {
            await using var viewer = await TerminalClient.ConnectAsync(reboundWs, origin, rebound);
            await viewer.WaitForAsync(Prompt);
        }

        // What the refused page is told (the origin is checked before anything else).
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(reboundWs.Replace("ws://", "http://", StringComparison.Ordinal)))
        {
            Headers = { { "Origin", DnsRebinding.Origin(Silo.Port) } },
        };
        using var problem = await rebound.SendAsync(request);
        await ExpectRefusalAsync(problem, "Terminal WebSockets from pages of 'http://evil.example:");
    }

    [Fact]
    public async Task A_rebinding_page_is_refused_the_processor_which_an_allowed_origin_and_no_origin_get()
    {
        await fixture.CrashIntoAsync("rebinding-processor-pod", "app");
        var body = SiloFixture.CoredumpRequest("rebinding-processor-pod", "app");
        using var rebound = DnsRebinding.Client(Silo.Port);

        using var refused = await PostAsync(rebound, "/processor/coreFileProfiler", body, DnsRebinding.Origin(Silo.Port));
        using var allowed = await PostAsync(rebound, "/processor/coreFileProfiler", body, $"http://localhost:{Silo.Port}");
        using var noOrigin = await PostAsync(rebound, "/processor/coreFileProfiler", body, origin: null);

        await ExpectRefusalAsync(refused, "Processor calls from pages of 'http://evil.example:");
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Equal(HttpStatusCode.OK, noOrigin.StatusCode);
    }

    [Fact]
    public async Task Without_a_token_a_rebinding_page_on_loopback_is_not_an_admin()
    {
        using var rebound = DnsRebinding.Client(Silo.Port);

        using var refused = await rebound.GetAsync("/api/sessions");
        using var allowed = await Silo.Http.GetAsync("/api/sessions");

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
    }

    [Fact]
    public async Task A_configured_origin_replaces_the_defaults_for_websockets_processor_calls_and_signed_in_changes()
    {
        using var temp = new TempDirectory();
        await using var silo = await SiloProcess.StartAsync(temp.Path, $"--Auth:AllowedOrigins={ConfiguredOrigin}/", $"--Auth:AdminToken={Token}");
        var core = Path.Join(silo.CoreRoot, "kubernetes", SiloFixture.Namespace, "configured-pod", "app", "7_20261127-120000");
        Directory.CreateDirectory(Path.GetDirectoryName(core)!);
        await File.WriteAllBytesAsync(core, new byte[4096]);
        var body = SiloFixture.CoredumpRequest("configured-pod", "app");
        var loopbackOrigin = $"http://127.0.0.1:{silo.Port}";

        using (var fromConfigured = await PostAsync(silo.Http, "/processor/coreFileProfiler", body, ConfiguredOrigin))
        using (var fromLoopback = await PostAsync(silo.Http, "/processor/coreFileProfiler", body, loopbackOrigin))
        {
            Assert.Equal(HttpStatusCode.OK, fromConfigured.StatusCode);
            await ExpectRefusalAsync(fromLoopback, $"Processor calls from pages of '{loopbackOrigin}'");
        }

        var session = await SiloFixture.OpenSessionAsync(silo, body);
        var (_, _, ws) = await SiloFixture.OpenTerminalAsync(silo.Http, session, "app/7_20261127-120000");
        await using (var viewer = await TerminalClient.ConnectAsync(ws, ConfiguredOrigin))
        {
            await viewer.WaitForAsync(Prompt);
        }

        Assert.Contains("403", (await Assert.ThrowsAsync<WebSocketException>(() => TerminalClient.ConnectAsync(ws, loopbackOrigin))).Message, StringComparison.Ordinal);

        // The cluster page's cookie ends a session only from a page of the configured origin.
        var id = session.Split('/')[2];
        using var foreign = await SignedInDeleteAsync(silo, id, DnsRebinding.Origin(silo.Port));
        await ExpectRefusalAsync(foreign, "Changes signed in with the cluster page's cookie from pages of 'http://evil.example:");
        using var own = await SignedInDeleteAsync(silo, id, ConfiguredOrigin);
        Assert.Equal(HttpStatusCode.NoContent, own.StatusCode);
    }

    [Fact]
    public async Task A_setting_that_is_not_an_origin_refuses_the_start_naming_it()
    {
        var (exitCode, output) = await SiloProcess.RunToRefusalAsync("--Auth:AllowedOrigins=https://ok.example,profiler.example.com/path");

        Assert.Equal(1, exitCode);
        Assert.Contains("refusing to start: Auth:AllowedOrigins: 'profiler.example.com/path' is not an origin", output, StringComparison.Ordinal);
    }

    private static async Task<HttpResponseMessage> PostAsync(HttpClient http, string path, Dictionary<string, string> body, string? origin)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        if (origin is not null) request.Headers.Add("Origin", origin);
        return await http.SendAsync(request);
    }

    private static async Task<HttpResponseMessage> SignedInDeleteAsync(SiloProcess silo, string id, string origin)
    {
        using var request = new HttpRequestMessage(HttpMethod.Delete, $"/api/sessions/{id}") { Headers = { { "Cookie", $"cfp-admin={Token}" }, { "Origin", origin } } };
        return await silo.Http.SendAsync(request);
    }

    private static async Task ExpectRefusalAsync(HttpResponseMessage response, string detailStart)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var detail = JsonDocument.Parse(text).RootElement.GetProperty("detail").GetString()!;
        Assert.StartsWith(detailStart, detail, StringComparison.Ordinal);
        Assert.Contains("is not in Auth:AllowedOrigins", detail, StringComparison.Ordinal);
    }
}
