using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using CoreFileProfiler.IntegrationTests.Support;

namespace CoreFileProfiler.IntegrationTests;

[Collection(SiloTests.Name)]
public sealed class TerminalTests(SiloFixture fixture)
{
    private const string Prompt = "(gdb) ";
    private HttpClient Http => fixture.Silo.Http;

    [Fact]
    public async Task Bt_on_a_real_core_names_the_crashing_function_and_its_source_line()
    {
        var (session, file) = await fixture.CrashAndOpenAsync("bt-pod");
        var (_, url, ws) = await SiloFixture.OpenTerminalAsync(Http, session, file);
        Assert.EndsWith("/", url, StringComparison.Ordinal);
        Assert.Equal(url.Replace("http://", "ws://", StringComparison.Ordinal) + "ws", ws);

        await using var viewer = await TerminalClient.ConnectAsync(ws);
        await viewer.WaitForAsync(Prompt);
        await viewer.TypeAsync("bt\n");

        var output = await viewer.WaitForAsync(text => text.Contains("in main", StringComparison.Ordinal), "a backtrace down to main");
        Assert.Contains($"{CrashingProgram.CrashingFunction} (where=0x0", output, StringComparison.Ordinal);
        Assert.True(output.Contains($"{CrashingProgram.SourceFile}:{CrashingProgram.CrashingLine}", StringComparison.Ordinal), output);
        Assert.Contains("handle_request", output, StringComparison.Ordinal);
        Assert.Contains("with executable", output, StringComparison.Ordinal); // found through the core's notes
    }

    [Fact]
    public async Task Two_viewers_share_one_gdb_and_a_late_viewer_gets_the_scrollback_first()
    {
        var (session, file) = await fixture.CrashAndOpenAsync("shared-pod");
        var (_, _, ws) = await SiloFixture.OpenTerminalAsync(Http, session, file);
        await using var first = await TerminalClient.ConnectAsync(ws);
        await using var second = await TerminalClient.ConnectAsync(ws);
        await first.WaitForAsync(Prompt);

        await first.TypeAsync("print 6*7\n");
        await first.WaitForAsync("$1 = 42");
        await second.WaitForAsync("$1 = 42");
        await second.TypeAsync("print 7*8\n");
        await first.WaitForAsync("$2 = 56");
        await second.WaitForAsync("$2 = 56");

        await using var late = await TerminalClient.ConnectAsync(ws);
        var replay = await late.WaitForAsync("$2 = 56");
        Assert.True(replay.IndexOf("$1 = 42", StringComparison.Ordinal) < replay.IndexOf("$2 = 56", StringComparison.Ordinal));
        var viewers = (await Http.GetFromJsonAsync<JsonElement>(session + "api")).GetProperty("terminals")[0].GetProperty("viewers").GetInt32();
        Assert.Equal(3, viewers);
    }

    [Fact]
    public async Task Ctrl_c_interrupts_gdb_and_resize_changes_what_gdb_and_the_terminal_report()
    {
        var (session, file) = await fixture.CrashAndOpenAsync("ctrl-c-pod");
        var (_, _, ws) = await SiloFixture.OpenTerminalAsync(Http, session, file);
        await using var viewer = await TerminalClient.ConnectAsync(ws);
        await viewer.WaitForAsync(Prompt);

        await viewer.TypeAsync("python import time; time.sleep(30)\n"); // a long command (the sandbox runs no shell)
        await Task.Delay(500);
        var prompts = viewer.Count(Prompt);
        var interrupted = System.Diagnostics.Stopwatch.StartNew();
        await viewer.TypeAsync("\u0003");
        await viewer.WaitForAsync(text => viewer.Count(Prompt) > prompts, "the prompt after Ctrl-C", TimeSpan.FromSeconds(10));
        Assert.True(interrupted.Elapsed < TimeSpan.FromSeconds(10), $"took {interrupted.Elapsed}");

        // gdb learns the size from SIGWINCH, handled in its own time: ask until it has.
        await viewer.ResizeAsync(137, 41);
        await AskUntilAsync(viewer, "show width\n", "is 137.");
        await viewer.TypeAsync("python import fcntl, termios, struct; print('rows, cols', struct.unpack('hh', fcntl.ioctl(0, termios.TIOCGWINSZ, b'0000')))\n");
        await viewer.WaitForAsync("rows, cols (41, 137)");
    }

    [Fact]
    public async Task Expiry_kills_gdb_closes_the_websocket_with_the_reason_and_the_url_answers_410()
    {
        var (session, file) = await fixture.CrashAndOpenAsync("expiring-pod", seconds: 4);
        var (id, url, ws) = await SiloFixture.OpenTerminalAsync(Http, session, file);
        await using var viewer = await TerminalClient.ConnectAsync(ws);
        await viewer.WaitForAsync(Prompt);
        var gdb = await GdbPidAsync(session, id);
        Assert.True(Directory.Exists($"/proc/{gdb}"));

        await viewer.WaitClosedAsync(TimeSpan.FromSeconds(15));

        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, viewer.CloseStatus);
        Assert.Contains("expired", viewer.CloseReason, StringComparison.Ordinal);
        Assert.False(Directory.Exists($"/proc/{gdb}"), $"gdb {gdb} outlived its session");
        Assert.Equal(HttpStatusCode.Gone, (await Http.GetAsync(url)).StatusCode);
        Assert.Equal(HttpStatusCode.Gone, (await Http.GetAsync(session)).StatusCode);
    }

    [Fact]
    public async Task Delete_kills_every_gdb_of_the_session_and_closes_every_viewer()
    {
        var (session, file) = await fixture.CrashAndOpenAsync("deleted-terminals");
        var first = await SiloFixture.OpenTerminalAsync(Http, session, file);
        var second = await SiloFixture.OpenTerminalAsync(Http, session, file);
        await using var viewer = await TerminalClient.ConnectAsync(first.Ws);
        await viewer.WaitForAsync(Prompt);
        var pids = new[] { await GdbPidAsync(session, first.Id), await GdbPidAsync(session, second.Id) };

        Assert.Equal(HttpStatusCode.NoContent, (await Http.DeleteAsync(session)).StatusCode);

        await viewer.WaitClosedAsync(TimeSpan.FromSeconds(10));
        Assert.Contains("closed", viewer.CloseReason, StringComparison.Ordinal);
        Assert.All(pids, pid => Assert.False(Directory.Exists($"/proc/{pid}"), $"gdb {pid} outlived its session"));
    }

    [Fact]
    public async Task When_gdb_exits_viewers_are_told_and_a_new_viewer_still_gets_the_scrollback()
    {
        var (session, file) = await fixture.CrashAndOpenAsync("quit-pod");
        var (id, _, ws) = await SiloFixture.OpenTerminalAsync(Http, session, file);
        await using var viewer = await TerminalClient.ConnectAsync(ws);
        await viewer.WaitForAsync(Prompt);

        await viewer.TypeAsync("print 1234+1\nquit\n");

        await viewer.WaitClosedAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(WebSocketCloseStatus.NormalClosure, viewer.CloseStatus);
        Assert.Equal("gdb exited.", viewer.CloseReason);
        await using var late = await TerminalClient.ConnectAsync(ws);
        await late.WaitForAsync("$1 = 1235");
        var terminal = (await Http.GetFromJsonAsync<JsonElement>(session + "api")).GetProperty("terminals")[0];
        Assert.Equal(id, terminal.GetProperty("id").GetString());
        Assert.Equal("gdb exited.", terminal.GetProperty("endReason").GetString());
    }

    [Fact]
    public async Task The_terminal_page_serves_xterm_and_the_session_page_links_to_debug()
    {
        var (session, file) = await fixture.CrashAndOpenAsync("page-pod");
        var (_, url, _) = await SiloFixture.OpenTerminalAsync(Http, session, file);

        var page = await Http.GetStringAsync(url);
        Assert.Contains("/lib/xterm.js", page, StringComparison.Ordinal);
        foreach (var asset in new[] { "/lib/xterm.js", "/lib/xterm.css", "/lib/addon-fit.js", "/terminal.js", "/session.js" })
        {
            Assert.Equal(HttpStatusCode.OK, (await Http.GetAsync(asset)).StatusCode);
        }

        var sessionPage = await Http.GetStringAsync(session);
        Assert.Contains($"data-file=\"{file}\"", sessionPage, StringComparison.Ordinal);
        Assert.Contains("gdb terminals", sessionPage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_terminal_requests_are_refused_clearly()
    {
        var (session, file) = await fixture.CrashAndOpenAsync("bad-terminal-pod");
        var other = await fixture.CrashIntoAsync("not-this-session", "app");

        Assert.Equal(HttpStatusCode.NotFound, (await Http.PostAsJsonAsync(session + "terminals", new { file = "app/../../not-this-session/app/" + Path.GetFileName(other) })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Http.PostAsJsonAsync(session + "terminals", new { file = "app/nothing" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Http.PostAsJsonAsync(session + "terminals", new { pid = Environment.ProcessId })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await Http.PostAsJsonAsync(session + "terminals", new { })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await Http.PostAsync(session + "terminals", new StringContent("{not json", System.Text.Encoding.UTF8, "application/json"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync(session + "terminals/nope/")).StatusCode);

        var (_, _, ws) = await SiloFixture.OpenTerminalAsync(Http, session, file);
        Assert.Equal(HttpStatusCode.BadRequest, (await Http.GetAsync(ws.Replace("ws://", "http://", StringComparison.Ordinal))).StatusCode);
        var unknown = await Assert.ThrowsAsync<WebSocketException>(() => TerminalClient.ConnectAsync(ws.Replace("/terminals/", "/terminals/x", StringComparison.Ordinal)));
        Assert.Contains("404", unknown.Message, StringComparison.Ordinal);
        var crossSite = await Assert.ThrowsAsync<WebSocketException>(() => TerminalClient.ConnectAsync(ws, origin: "http://evil.example"));
        Assert.Contains("403", crossSite.Message, StringComparison.Ordinal);
        await using (var sameSite = await TerminalClient.ConnectAsync(ws, origin: $"http://127.0.0.1:{fixture.Silo.Port}"))
        {
            await sameSite.WaitForAsync(Prompt);
        }

        await ExpectClosedAsync(ws, client => client.SendAsync("{\"type\":\"launch\"}"), WebSocketCloseStatus.PolicyViolation, "Unknown message type");
        await ExpectClosedAsync(ws, client => client.SendAsync("not json at all"), WebSocketCloseStatus.PolicyViolation, "valid JSON");
        await ExpectClosedAsync(ws, client => client.SendAsync("{\"type\":\"resize\",\"cols\":0,\"rows\":9}"), WebSocketCloseStatus.PolicyViolation, "columns and rows");
        await ExpectClosedAsync(ws, client => client.SendRawAsync([1, 2, 3], WebSocketMessageType.Binary), WebSocketCloseStatus.InvalidMessageType, "JSON text");
        await ExpectClosedAsync(ws, client => client.TypeAsync(new string('x', 70_000)), WebSocketCloseStatus.MessageTooBig, "64 KiB");

        // None of that hurt the terminal.
        await using var after = await TerminalClient.ConnectAsync(ws);
        await after.TypeAsync("print 2+2\n");
        await after.WaitForAsync("= 4");
    }

    [Fact]
    public async Task Killing_the_silo_with_sigkill_leaves_no_gdb_alive()
    {
        using var temp = new TempDirectory();
        var silo = await SiloProcess.StartAsync(temp.Path);
        int gdb;
        try
        {
            var (core, pid) = await CrashingProgram.CrashAsync(fixture.Crasher, Path.Join(temp.Path, "crash"));
            var directory = Path.Join(silo.CoreRoot, "kubernetes", "default", "killed", "app");
            Directory.CreateDirectory(directory);
            File.Move(core, Path.Join(directory, $"{pid}_20261127-000000"));
            using var response = await SiloFixture.PostProcessorAsync(SiloFixture.CoredumpRequest("killed"), silo.Http);
            var session = new Uri((await response.Content.ReadFromJsonAsync<Dictionary<string, string>>())![SiloFixture.ResultKey]).AbsolutePath;
            var (id, _, _) = await SiloFixture.OpenTerminalAsync(silo.Http, session, $"app/{pid}_20261127-000000");
            gdb = (await silo.Http.GetFromJsonAsync<JsonElement>(session + "api")).GetProperty("terminals")[0].GetProperty("pid").GetInt32();
            Assert.Equal(id, (await silo.Http.GetFromJsonAsync<JsonElement>(session + "api")).GetProperty("terminals")[0].GetProperty("id").GetString());
            Assert.True(Directory.Exists($"/proc/{gdb}"));
        }
        finally
        {
            await silo.KillAsync(); // no chance to clean up: gdb must go by its parent-death signal
            await silo.DisposeAsync();
        }

        Assert.True(SpinWait.SpinUntil(() => !Directory.Exists($"/proc/{gdb}"), TimeSpan.FromSeconds(10)), $"gdb {gdb} outlived the silo");
    }

    private static async Task AskUntilAsync(TerminalClient viewer, string command, string answer)
    {
        for (var attempt = 0; attempt < 20 && !viewer.Text.Contains(answer, StringComparison.Ordinal); attempt++)
        {
            await viewer.TypeAsync(command);
            await Task.Delay(250);
        }

        await viewer.WaitForAsync(answer, TimeSpan.FromSeconds(5));
    }

    private async Task<int> GdbPidAsync(string session, string terminalId) =>
        (await Http.GetFromJsonAsync<JsonElement>(session + "api")).GetProperty("terminals").EnumerateArray()
            .Single(t => t.GetProperty("id").GetString() == terminalId).GetProperty("pid").GetInt32();

    private static async Task ExpectClosedAsync(string ws, Func<TerminalClient, Task> send, WebSocketCloseStatus status, string reason)
    {
        await using var client = await TerminalClient.ConnectAsync(ws);
        await send(client);
        await client.WaitClosedAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(status, client.CloseStatus);
        Assert.Contains(reason, client.CloseReason, StringComparison.Ordinal);
    }
}
