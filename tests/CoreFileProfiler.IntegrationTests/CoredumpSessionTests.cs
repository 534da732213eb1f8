using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using CoreFileProfiler.IntegrationTests.Support;

namespace CoreFileProfiler.IntegrationTests;

[Collection(SiloTests.Name)]
public sealed class CoredumpSessionTests(SiloFixture fixture)
{
    private HttpClient Http => fixture.Silo.Http;

    [Fact]
    public async Task A_real_crash_is_listed_and_downloads_byte_exact_whole_and_by_range()
    {
        var core = await fixture.CrashIntoAsync("web-crash", "app");
        var coreBytes = await File.ReadAllBytesAsync(core);
        Assert.Equal("\u007fELF"u8.ToArray(), coreBytes[..4]);

        using var response = await fixture.PostProcessorAsync(SiloFixture.CoredumpRequest("web-crash", "app"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        // The agent accepts only a JSON object of string values.
        using var result = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.All(result.RootElement.EnumerateObject(), p => Assert.Equal(JsonValueKind.String, p.Value.ValueKind));
        var url = result.RootElement.GetProperty(SiloFixture.ResultKey).GetString()!;
        Assert.Matches($"^http://localhost:{fixture.Silo.Port}/sessions/localhost\\.[A-Za-z0-9_-]{{28}}/$", url);
        var session = new Uri(url).AbsolutePath;
        var name = Path.GetFileName(core);

        var page = await Http.GetStringAsync(session);
        Assert.Contains($"app/{name}", page, StringComparison.Ordinal);
        Assert.Contains($"href=\"files/app/{name}\"", page, StringComparison.Ordinal);
        using var stylesheet = await Http.GetAsync("/app.css"); // the page's look, served from the silo's own directory
        Assert.Equal("text/css", stylesheet.Content.Headers.ContentType?.MediaType);

        var view = await Http.GetFromJsonAsync<JsonElement>(session + "api");
        var listed = Assert.Single(view.GetProperty("files").EnumerateArray());
        Assert.Equal($"app/{name}", listed.GetProperty("path").GetString());
        Assert.Equal(coreBytes.Length, listed.GetProperty("size").GetInt64());
        Assert.Equal("app", listed.GetProperty("container").GetString());
        Assert.Equal("coredump", view.GetProperty("type").GetString());
        Assert.Equal("localhost", view.GetProperty("node").GetString());

        using var whole = await Http.GetAsync($"{session}files/app/{name}");
        Assert.Equal(HttpStatusCode.OK, whole.StatusCode);
        Assert.Equal(coreBytes.Length, whole.Content.Headers.ContentLength);
        Assert.Equal("bytes", whole.Headers.AcceptRanges.Single());
        Assert.Equal("attachment", whole.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal(SHA256.HashData(coreBytes), SHA256.HashData(await whole.Content.ReadAsByteArrayAsync()));

        var from = coreBytes.Length / 3;
        using var rangeRequest = new HttpRequestMessage(HttpMethod.Get, $"{session}files/app/{name}") { Headers = { Range = new RangeHeaderValue(from, null) } };
        using var tail = await Http.SendAsync(rangeRequest);
        Assert.Equal(HttpStatusCode.PartialContent, tail.StatusCode);
        Assert.Equal(from, tail.Content.Headers.ContentRange?.From);
        Assert.Equal(SHA256.HashData(coreBytes.AsSpan(from)), SHA256.HashData(await tail.Content.ReadAsByteArrayAsync()));

        using var head = await Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"{session}files/app/{name}"));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(coreBytes.Length, head.Content.Headers.ContentLength);
    }

    [Fact]
    public async Task Without_container_every_container_of_the_pod_is_listed_with_its_container()
    {
        var app = await fixture.CrashIntoAsync("two-containers", "app");
        var sidecar = await fixture.CrashIntoAsync("two-containers", "sidecar");

        var session = await fixture.OpenSessionAsync(SiloFixture.CoredumpRequest("two-containers"));
        var files = (await Http.GetFromJsonAsync<JsonElement>(session + "api")).GetProperty("files").EnumerateArray()
            .Select(f => (Path: f.GetProperty("path").GetString(), Container: f.GetProperty("container").GetString()))
            .OrderBy(f => f.Path)
            .ToList();

        Assert.Equal([($"app/{Path.GetFileName(app)}", "app"), ($"sidecar/{Path.GetFileName(sidecar)}", "sidecar")], files);
        var page = await Http.GetStringAsync(session);
        Assert.Contains($"sidecar/{Path.GetFileName(sidecar)}", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_core_that_arrives_after_the_session_opened_appears_in_it()
    {
        await fixture.CrashIntoAsync("late-pod", "app");
        var session = await fixture.OpenSessionAsync(SiloFixture.CoredumpRequest("late-pod"));

        var later = await fixture.CrashIntoAsync("late-pod", "app");

        var files = (await Http.GetFromJsonAsync<JsonElement>(session + "api")).GetProperty("files");
        Assert.Equal(2, files.GetArrayLength());
        Assert.Contains(files.EnumerateArray(), f => f.GetProperty("path").GetString() == $"app/{Path.GetFileName(later)}");
    }

    [Fact]
    public async Task A_filepath_session_serves_exactly_that_file()
    {
        var core = await fixture.CrashIntoAsync("by-path", "app");
        var body = SiloFixture.CoredumpRequest(pod: null);
        body[SiloFixture.Parameter + "filepath"] = core;

        var session = await fixture.OpenSessionAsync(body);

        var file = Assert.Single((await Http.GetFromJsonAsync<JsonElement>(session + "api")).GetProperty("files").EnumerateArray());
        Assert.Equal(Path.GetFileName(core), file.GetProperty("path").GetString());
        Assert.Equal("app", file.GetProperty("container").GetString());
        Assert.Equal(SHA256.HashData(await File.ReadAllBytesAsync(core)), SHA256.HashData(await Http.GetByteArrayAsync($"{session}files/{Path.GetFileName(core)}")));
    }

    [Fact]
    public async Task Download_paths_that_escape_the_session_are_refused()
    {
        var mine = await fixture.CrashIntoAsync("escape-pod", "app");
        var other = await fixture.CrashIntoAsync("other-pod", "app");
        var otherName = Path.GetFileName(other);
        var session = await fixture.OpenSessionAsync(SiloFixture.CoredumpRequest("escape-pod", "app"));

        string[] escapes =
        [
            $"{session}files/../../other-pod/app/{otherName}",
            $"{session}files/app/../../other-pod/app/{otherName}",
            $"{session}files/%2e%2e/%2e%2e/other-pod/app/{otherName}",
            $"{session}files/app/%2e%2e%2f%2e%2e%2fother-pod%2fapp%2f{otherName}",
            $"{session}files/..%2F..%2Fother-pod%2Fapp%2F{otherName}",
            $"{session}files/%2Fetc%2Fpasswd",
            $"{session}files//etc/passwd",
            $"{session}files/{fixture.Silo.CoreRoot}/kubernetes/default/other-pod/app/{otherName}",
            $"{session}files/app/{Path.GetFileName(mine)}%00",
        ];
        foreach (var escape in escapes)
        {
            var (status, response) = await RawHttp.GetAsync(fixture.Silo.Port, escape);

            Assert.True(status is >= 400 and < 500, $"{escape} answered {status}");
            Assert.DoesNotContain("root:x:0:0", response, StringComparison.Ordinal);
        }

        Assert.Equal(200, (await RawHttp.GetAsync(fixture.Silo.Port, $"{session}files/app/{Path.GetFileName(mine)}")).Status);
        // Operators see refusals as what they were: 4xx, not errors of ours.
        var log = fixture.Silo.Log();
        var redacted = $"/sessions/<redacted:{CapabilityLeaks.HashOf(session.Split('/')[2])}>/"; // the id is a capability
        Assert.Contains($"\"RequestPath\":\"{redacted}files//etc/passwd\",\"StatusCode\":404", log, StringComparison.Ordinal);
        Assert.DoesNotContain("\"StatusCode\":500", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_two_second_session_answers_then_is_gone_after_expiry_in_real_time()
    {
        await fixture.CrashIntoAsync("short-lived", "app");
        var session = await fixture.OpenSessionAsync(SiloFixture.CoredumpRequest("short-lived", seconds: 2));
        var view = await Http.GetFromJsonAsync<JsonElement>(session + "api");
        var expiresAt = view.GetProperty("expiresAt").GetDateTimeOffset();
        var file = view.GetProperty("files")[0].GetProperty("path").GetString();

        Assert.Equal(HttpStatusCode.OK, (await Http.GetAsync(session)).StatusCode);
        await Task.Delay(expiresAt - DateTimeOffset.UtcNow + TimeSpan.FromMilliseconds(300));

        foreach (var path in new[] { session, session + "api", $"{session}files/{file}" })
        {
            using var gone = await Http.GetAsync(path);
            Assert.Equal(HttpStatusCode.Gone, gone.StatusCode);
            Assert.Equal("application/problem+json", gone.Content.Headers.ContentType?.MediaType);
        }

        Assert.Equal(HttpStatusCode.Gone, (await Http.DeleteAsync(session)).StatusCode);
    }

    [Fact]
    public async Task Delete_ends_the_session_at_once()
    {
        await fixture.CrashIntoAsync("deleted", "app");
        var session = await fixture.OpenSessionAsync(SiloFixture.CoredumpRequest("deleted"));

        Assert.Equal(HttpStatusCode.NoContent, (await Http.DeleteAsync(session)).StatusCode);

        Assert.Equal(HttpStatusCode.Gone, (await Http.GetAsync(session + "api")).StatusCode);
    }

    [Fact]
    public async Task Unknown_sessions_are_not_found()
    {
        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync("/sessions/localhost.AAAAAAAAAAAAAAAAAAAAAAAA/api")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync("/sessions/whatever/")).StatusCode);
    }
}
