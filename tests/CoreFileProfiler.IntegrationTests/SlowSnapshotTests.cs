using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CoreFileProfiler.IntegrationTests.Support;
using Xunit.Abstractions;

namespace CoreFileProfiler.IntegrationTests;

/// <summary>gcore of a process with 2 GiB resident takes seconds (3.3 s here); the session answers throughout, and ending it stops gcore.</summary>
[Collection(SiloTests.Name)]
public sealed class SlowSnapshotTests(SiloFixture fixture, ITestOutputHelper output)
{
    private HttpClient Http => fixture.Silo.Http;

    [Fact]
    public async Task While_gcore_runs_JSON_terminals_and_WebSockets_answer_at_once_and_DELETE_stops_gcore_leaving_the_process_running_and_no_partial_core()
    {
        using var temp = new TempDirectory();
        using var large = await LargeProcess.StartAsync(temp.Path);
        var session = await OpenGcoreSessionAsync(large.Pid);

        var posting = Http.PostAsJsonAsync(session + "snapshots", new { pid = large.Pid });
        Assert.True(SpinWait.SpinUntil(() => PartialCores(large.Pid).Any(f => f.Length > 0) || posting.IsCompleted, TimeSpan.FromSeconds(20)), "gcore never started writing");
        Assert.False(posting.IsCompleted, "gcore finished too fast for this test to mean anything");

        var watch = Stopwatch.StartNew();
        var view = await Http.GetFromJsonAsync<JsonElement>(session + "api");
        var described = watch.Elapsed;
        Assert.Equal(large.Pid, view.GetProperty("processes").EnumerateArray().Single().GetProperty("pid").GetInt32());

        watch.Restart();
        string ws;
        using (var terminal = await Http.PostAsJsonAsync(session + "terminals", new { pid = large.Pid }))
        {
            Assert.True(terminal.StatusCode == HttpStatusCode.Created, $"{(int)terminal.StatusCode}: {await terminal.Content.ReadAsStringAsync()}");
            ws = (await terminal.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("ws").GetString()!;
        }

        var opened = watch.Elapsed;
        watch.Restart();
        await using var viewer = await TerminalClient.ConnectAsync(ws);
        var connected = watch.Elapsed;
        Assert.True(GcoreRunning(large.Pid), "gcore ended before the session was closed");

        watch.Restart();
        using (var deleted = await Http.DeleteAsync(session))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        var closed = watch.Elapsed;
        output.WriteLine($"during gcore: JSON {described.TotalMilliseconds:F0} ms, new terminal {opened.TotalMilliseconds:F0} ms, WebSocket {connected.TotalMilliseconds:F0} ms, DELETE {closed.TotalMilliseconds:F0} ms");
        Assert.True(described < TimeSpan.FromSeconds(1), $"the session's JSON took {described.TotalMilliseconds:F0} ms during gcore");
        Assert.True(opened < TimeSpan.FromSeconds(2), $"a new terminal took {opened.TotalMilliseconds:F0} ms during gcore");
        Assert.True(connected < TimeSpan.FromSeconds(1), $"a WebSocket connect took {connected.TotalMilliseconds:F0} ms during gcore");
        Assert.True(closed < TimeSpan.FromSeconds(2), $"DELETE took {closed.TotalMilliseconds:F0} ms during gcore");
        Assert.False(GcoreRunning(large.Pid), "gcore still runs after the session ended");
        Assert.Empty(PartialCores(large.Pid));
        Assert.DoesNotMatch("^[Tt]$", ProcessState.Of(large.Pid)); // stopped, or stopped by a tracer
        Assert.Matches("stopped|410", await Answer(posting)); // the POST learned its snapshot was stopped, or that the session is gone
    }

    [Fact]
    public async Task With_Prefer_respond_async_a_snapshot_answers_202_at_once_and_its_status_URL_reports_the_filed_core()
    {
        using var temp = new TempDirectory();
        using var large = await LargeProcess.StartAsync(temp.Path);
        var session = await OpenGcoreSessionAsync(large.Pid);
        using var request = new HttpRequestMessage(HttpMethod.Post, session + "snapshots") { Content = JsonContent.Create(new { pid = large.Pid }) };
        request.Headers.Add("Prefer", "respond-async");

        var watch = Stopwatch.StartNew();
        using var accepted = await Http.SendAsync(request);
        var answered = watch.Elapsed;

        Assert.True(accepted.StatusCode == HttpStatusCode.Accepted, $"{(int)accepted.StatusCode}: {await accepted.Content.ReadAsStringAsync()}");
        var status = accepted.Headers.Location!.OriginalString;
        Assert.StartsWith(session + "snapshots/", status, StringComparison.Ordinal);
        Assert.Equal("running", (await accepted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
        Assert.True(answered < TimeSpan.FromSeconds(1), $"the 202 took {answered.TotalMilliseconds:F0} ms");
        JsonElement done = default;
        Assert.True(await PollAsync(async () => (done = await Http.GetFromJsonAsync<JsonElement>(status)).GetProperty("status").GetString() != "running", TimeSpan.FromSeconds(120)));
        Assert.Equal("done", done.GetProperty("status").GetString());
        output.WriteLine($"gcore of {LargeProcess.ResidentBytes >> 20} MiB resident: done after {watch.Elapsed.TotalSeconds:F1} s");
        var path = done.GetProperty("path").GetString()!;
        try
        {
            Assert.Equal(new FileInfo(path).Length, done.GetProperty("size").GetInt64());
            Assert.True(new FileInfo(path).Length > LargeProcess.ResidentBytes);
            Assert.Equal("S", ProcessState.Of(large.Pid));
            Assert.Equal(HttpStatusCode.NotFound, (await Http.GetAsync(session + "snapshots/not-a-snapshot")).StatusCode);
        }
        finally
        {
            File.Delete(path); // 2 GiB: not for the store's budget of the next tests
            File.Delete(path + ".json");
            await Http.DeleteAsync(session);
        }
    }

    [Fact]
    public async Task A_quick_snapshot_still_answers_201_with_the_core_and_its_status_URL_agrees()
    {
        using var sleeper = Process.Start("sleep", "60");
        try
        {
            var session = await OpenGcoreSessionAsync(sleeper.Id);

            using var created = await Http.PostAsJsonAsync(session + "snapshots", new { pid = sleeper.Id });

            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            var snapshot = await created.Content.ReadFromJsonAsync<JsonElement>();
            var path = snapshot.GetProperty("path").GetString()!;
            Assert.Equal(new FileInfo(path).Length, snapshot.GetProperty("size").GetInt64());
            var status = await Http.GetFromJsonAsync<JsonElement>(created.Headers.Location!.OriginalString);
            Assert.Equal(("done", path), (status.GetProperty("status").GetString(), status.GetProperty("path").GetString()));
            Assert.Contains(Path.GetFileName(path), Directory.GetFiles(fixture.Silo.CoreRoot).Select(Path.GetFileName));
            await Http.DeleteAsync(session);
        }
        finally
        {
            sleeper.Kill();
        }
    }

    private async Task<string> OpenGcoreSessionAsync(int pid) => await fixture.OpenSessionAsync(new Dictionary<string, string>
    {
        [SiloFixture.Parameter + "expiration_seconds"] = "120",
        [SiloFixture.Parameter + "type"] = "gcore",
        [SiloFixture.Parameter + "pid"] = pid.ToString(CultureInfo.InvariantCulture), // loopback is admin without a token
    });

    /// <summary>gcore's file while it writes: a dot-name ending in the pid, in the store's root (a host process has no pod).</summary>
    private FileInfo[] PartialCores(int pid) =>
        new DirectoryInfo(fixture.Silo.CoreRoot).GetFiles($".{pid}_*.gcore.*");

    private static bool GcoreRunning(int pid) =>
        Directory.EnumerateDirectories("/proc").Any(p =>
        {
            try
            {
                // The gcore script (".../gcore -o PREFIX PID") and its gdb ("-ex", "gcore PREFIX.PID").
                var argv = File.ReadAllText(Path.Join(p, "cmdline")).Split('\0');
                var id = pid.ToString(CultureInfo.InvariantCulture);
                return argv.Any(a => a.EndsWith("gcore", StringComparison.Ordinal)) && argv.Contains(id)
                    || argv.Any(a => a.StartsWith("gcore ", StringComparison.Ordinal) && a.EndsWith("." + id, StringComparison.Ordinal));
            }
            catch (IOException)
            {
                return false; // exited while we looked
            }
        });

    private static async Task<string> Answer(Task<HttpResponseMessage> posting)
    {
        using var response = await posting;
        return $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
    }

    private static async Task<bool> PollAsync(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            if (await condition()) return true;
            await Task.Delay(200);
        }

        return false;
    }
}
