using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text.Json;
using CoreFileProfiler.IntegrationTests.Support;

namespace CoreFileProfiler.IntegrationTests;

/// <summary>Read-only watch links of gdb terminals (docs/architecture.md, HTTP contract), through the real silo.</summary>
[Collection(SiloTests.Name)]
public sealed class WatchLinkTests(SiloFixture fixture)
{
    private const string Prompt = "(gdb) ";
    private HttpClient Http => fixture.Silo.Http;

    [Fact]
    public async Task A_watcher_sees_the_terminal_and_its_scrollback_but_what_it_types_or_resizes_never_reaches_gdb()
    {
        var (session, file) = await fixture.CrashAndOpenAsync("watched-pod");
        var terminal = await SiloFixture.OpenTerminalBodyAsync(Http, session, file);
        await using var writer = await TerminalClient.ConnectAsync(terminal.GetProperty("ws").GetString()!);
        await writer.WaitForAsync(Prompt);
        await writer.TypeAsync("print 1+1\n");
        await writer.WaitForAsync("$1 = 2");

        await using var watcher = await TerminalClient.ConnectAsync(terminal.GetProperty("watchWs").GetString()!);
        await watcher.WaitForAsync("$1 = 2"); // the scrollback, as any viewer gets it
        await watcher.TypeAsync("print 6*7\n");
        await watcher.ResizeAsync(50, 10);
        await Task.Delay(1000); // time for either to have reached gdb, had it been let through

        await writer.TypeAsync("print 7*8\n");
        await watcher.WaitForAsync("$2 = 56"); // the writer's input shows; had the watcher's reached gdb, this would be $3
        await writer.WaitForAsync("$2 = 56");
        await writer.TypeAsync("show width\n");
        await writer.WaitForAsync("is 120."); // not the watcher's 50

        Assert.DoesNotContain("= 42", writer.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("= 42", watcher.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("6*7", watcher.Text, StringComparison.Ordinal); // gdb never echoed it
        Assert.Null(watcher.CloseStatus); // ignored, not refused: the watcher keeps watching
        var recording = await Http.GetStringAsync(terminal.GetProperty("url").GetString() + "recording");
        Assert.Contains("print 7*8", recording, StringComparison.Ordinal);
        Assert.DoesNotContain("6*7", recording, StringComparison.Ordinal);
        Assert.DoesNotContain("50x10", recording, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_watch_link_has_its_own_id_and_reveals_nothing_of_the_session()
    {
        var (session, file) = await fixture.CrashAndOpenAsync("watch-url-pod");
        var terminal = await SiloFixture.OpenTerminalBodyAsync(Http, session, file);
        var watch = terminal.GetProperty("watch").GetString()!;
        var sessionToken = session.Split('/')[2].Split('.')[^1];
        var terminalId = terminal.GetProperty("id").GetString()!;

        // Node-routable, 136 random bits after the issue time, and nothing of the session's URL.
        Assert.Matches($"^http://127\\.0\\.0\\.1:{fixture.Silo.Port}/watch/{SiloProcess.NodeName}\\.[A-Za-z0-9_-]{{28}}/$", watch);
        Assert.Equal(watch.Replace("http://", "ws://", StringComparison.Ordinal) + "ws", terminal.GetProperty("watchWs").GetString());
        Assert.DoesNotContain(sessionToken, watch, StringComparison.Ordinal);
        Assert.DoesNotContain(terminalId, watch, StringComparison.Ordinal);
        Assert.DoesNotContain("/sessions/", watch, StringComparison.Ordinal);

        using var page = await Http.GetAsync(watch);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("/terminal.js", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("no-store", page.Headers.CacheControl?.ToString());
        Assert.Equal("no-referrer", page.Headers.GetValues("Referrer-Policy").Single());

        var described = await Http.GetStringAsync(watch + "api");
        Assert.Equal(file, JsonDocument.Parse(described).RootElement.GetProperty("target").GetString());
        Assert.DoesNotContain(sessionToken, described, StringComparison.Ordinal);
        Assert.DoesNotContain(terminalId, described, StringComparison.Ordinal);

        // Those who hold the session find the link in its JSON (the terminal page's "copy watch link").
        var listed = (await Http.GetFromJsonAsync<JsonElement>(session + "api")).GetProperty("terminals")[0];
        Assert.Equal(watch.Split('/')[^2], listed.GetProperty("watchId").GetString());

        var crossSite = await Assert.ThrowsAsync<WebSocketException>(() => TerminalClient.ConnectAsync(terminal.GetProperty("watchWs").GetString()!, origin: "http://evil.example"));
        Assert.Contains("403", crossSite.Message, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync($"/watch/{IdIssuedAt(DateTimeOffset.UtcNow)}/")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync("/watch/not-a-watch-id/")).StatusCode);
        Assert.Equal(HttpStatusCode.Gone, (await Http.GetAsync($"/watch/{IdIssuedAt(DateTimeOffset.UtcNow.AddDays(-1))}/")).StatusCode); // an earlier life of the node
    }

    [Fact]
    public async Task A_watch_link_dies_with_its_session()
    {
        var (session, file) = await fixture.CrashAndOpenAsync("watch-ends-pod");
        var terminal = await SiloFixture.OpenTerminalBodyAsync(Http, session, file);
        var watch = terminal.GetProperty("watch").GetString()!;
        await using var watcher = await TerminalClient.ConnectAsync(terminal.GetProperty("watchWs").GetString()!);
        await watcher.WaitForAsync(Prompt);

        Assert.Equal(HttpStatusCode.NoContent, (await Http.DeleteAsync(session)).StatusCode);

        await watcher.WaitClosedAsync(TimeSpan.FromSeconds(10));
        Assert.Contains("closed", watcher.CloseReason, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Gone, (await Http.GetAsync(watch)).StatusCode);
        Assert.Equal(HttpStatusCode.Gone, (await Http.GetAsync(watch + "api")).StatusCode);
        var refused = await Assert.ThrowsAsync<WebSocketException>(() => TerminalClient.ConnectAsync(terminal.GetProperty("watchWs").GetString()!));
        Assert.Contains("410", refused.Message, StringComparison.Ordinal);
    }

    /// <summary>A well-formed watch id of this node that it never issued: <c>&lt;node&gt;.&lt;time and random bits&gt;</c>.</summary>
    private static string IdIssuedAt(DateTimeOffset time)
    {
        var token = new byte[21];
        BinaryPrimitives.WriteUInt32BigEndian(token, (uint)time.ToUnixTimeSeconds());
        RandomNumberGenerator.Fill(token.AsSpan(4));
        return $"{SiloProcess.NodeName}.{Convert.ToBase64String(token).Replace('+', '-').Replace('/', '_')}";
    }
}
