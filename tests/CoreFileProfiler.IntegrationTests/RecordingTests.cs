using System.Net;
using System.Text;
using System.Text.Json;
using CoreFileProfiler.IntegrationTests.Support;

namespace CoreFileProfiler.IntegrationTests;

/// <summary>A terminal's asciicast v2 recording (docs/architecture.md, HTTP contract), from a real gdb through the real silo.</summary>
[Collection(SiloTests.Name)]
public sealed class RecordingTests(SiloFixture fixture)
{
    private const string Prompt = "(gdb) ";
    private static readonly string[] EventTypes = ["o", "i", "r"];
    private HttpClient Http => fixture.Silo.Http;

    [Fact]
    public async Task The_recording_is_asciicast_v2_with_what_was_typed_and_what_gdb_answered_and_outlives_gdb()
    {
        var opened = DateTimeOffset.UtcNow;
        var (session, file) = await fixture.CrashAndOpenAsync("recorded-pod");
        var (_, url, ws) = await SiloFixture.OpenTerminalAsync(Http, session, file);
        await using (var viewer = await TerminalClient.ConnectAsync(ws))
        {
            await viewer.WaitForAsync(Prompt);
            await viewer.TypeAsync("bt\n");
            await viewer.WaitForAsync(text => text.Contains("in main", StringComparison.Ordinal), "a backtrace down to main");
            await viewer.TypeAsync("print 6*7\n");
            await viewer.WaitForAsync("$1 = 42");

            var (header, events) = await FetchAsync(url);
            Assert.Equal(2, header.GetProperty("version").GetInt32());
            Assert.Equal(120, header.GetProperty("width").GetInt32());
            Assert.Equal(36, header.GetProperty("height").GetInt32());
            Assert.InRange(header.GetProperty("timestamp").GetInt64(), opened.ToUnixTimeSeconds() - 1, DateTimeOffset.UtcNow.ToUnixTimeSeconds());
            Assert.Contains(file, header.GetProperty("title").GetString(), StringComparison.Ordinal);
            var typed = string.Concat(events.Where(e => e.Type == "i").Select(e => e.Data));
            Assert.Contains("bt\n", typed, StringComparison.Ordinal);
            Assert.Contains("print 6*7\n", typed, StringComparison.Ordinal);
            var output = string.Concat(events.Where(e => e.Type == "o").Select(e => e.Data));
            Assert.Contains(CrashingProgram.CrashingFunction, output, StringComparison.Ordinal);
            Assert.Contains("$1 = 42", output, StringComparison.Ordinal);
            Assert.True(
                output.IndexOf(CrashingProgram.CrashingFunction, StringComparison.Ordinal) < output.IndexOf("$1 = 42", StringComparison.Ordinal),
                "output out of order");

            await viewer.TypeAsync("quit\n");
            await viewer.WaitClosedAsync(TimeSpan.FromSeconds(10));
            Assert.Equal("gdb exited.", viewer.CloseReason);
        }

        // gdb is gone; its recording stays while the session lives, with the last word typed.
        var (_, afterQuit) = await FetchAsync(url);
        Assert.EndsWith("quit\n", string.Concat(afterQuit.Where(e => e.Type == "i").Select(e => e.Data)), StringComparison.Ordinal);
        Assert.Contains("$1 = 42", string.Concat(afterQuit.Where(e => e.Type == "o").Select(e => e.Data)), StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.NoContent, (await Http.DeleteAsync(session)).StatusCode);
        Assert.Equal(HttpStatusCode.Gone, (await Http.GetAsync(url + "recording")).StatusCode);
    }

    [Fact]
    public async Task Multibyte_output_is_recorded_whole_however_the_terminal_cut_it_into_chunks()
    {
        // Lines of 3000 bytes, which the terminal passes on in pieces of 2048 (not a multiple of 3):
        // the silo reads gdb's output with characters cut in two.
        const int Lines = 300;
        var euros = new string('€', 1000);
        var (session, file) = await fixture.CrashAndOpenAsync("recorded-utf8-pod");
        var (_, url, ws) = await SiloFixture.OpenTerminalAsync(Http, session, file);
        await using var viewer = await TerminalClient.ConnectAsync(ws);
        await viewer.WaitForAsync(Prompt);

        await viewer.TypeAsync($"set pagination off\nset $i = 0\nwhile $i < {Lines}\necho {euros}\\n\nset $i = $i + 1\nend\necho all-echoed\\n\n");
        await viewer.WaitForAsync("all-echoed\r\n", TimeSpan.FromSeconds(60));

        var (_, events) = await FetchAsync(url);
        var output = events.Where(e => e.Type == "o").Select(e => e.Data).ToList();
        Assert.DoesNotContain(output, data => data.Contains('\uFFFD', StringComparison.Ordinal));
        Assert.True(
            string.Concat(output).Split(euros + "\r\n").Length - 1 >= Lines,
            $"fewer than {Lines} whole lines of € in the recording");
    }

    [Fact]
    public async Task Unknown_terminals_have_no_recording()
    {
        var (session, _) = await fixture.CrashAndOpenAsync("no-recording-pod");
        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync(session + "terminals/nope/recording")).StatusCode);
    }

    /// <summary>
    /// Fetches and checks the recording line by line: a header object, then events
    /// <c>[seconds, "o"|"i"|"r", text]</c> in time order.
    /// </summary>
    private async Task<(JsonElement Header, List<(double Seconds, string Type, string Data)> Events)> FetchAsync(string terminalUrl)
    {
        using var response = await Http.GetAsync(terminalUrl + "recording");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/x-asciicast", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        var text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(await response.Content.ReadAsByteArrayAsync());
        Assert.EndsWith("\n", text, StringComparison.Ordinal);
        var lines = text[..^1].Split('\n');

        var header = JsonDocument.Parse(lines[0]).RootElement;
        Assert.Equal(JsonValueKind.Object, header.ValueKind);
        foreach (var field in new[] { "version", "width", "height", "timestamp" })
        {
            Assert.True(header.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out _), $"header {field}: {lines[0]}");
        }

        var events = new List<(double Seconds, string Type, string Data)>();
        foreach (var line in lines.Skip(1))
        {
            var e = JsonDocument.Parse(line).RootElement;
            Assert.True(e.ValueKind == JsonValueKind.Array && e.GetArrayLength() == 3, line);
            Assert.Equal(JsonValueKind.Number, e[0].ValueKind);
            Assert.Contains(e[1].GetString(), EventTypes);
            Assert.Equal(JsonValueKind.String, e[2].ValueKind);
            events.Add((e[0].GetDouble(), e[1].GetString()!, e[2].GetString()!));
        }

        Assert.NotEmpty(events);
        Assert.True(events[0].Seconds >= 0);
        Assert.True(events.Zip(events.Skip(1)).All(pair => pair.First.Seconds <= pair.Second.Seconds), "event times go backwards");
        return (header, events);
    }
}
