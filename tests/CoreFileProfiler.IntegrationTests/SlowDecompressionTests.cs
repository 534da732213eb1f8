using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CoreFileProfiler.IntegrationTests.Support;
using Xunit.Abstractions;

namespace CoreFileProfiler.IntegrationTests;

/// <summary>
/// A terminal on a large zstd core starts only once the core is decompressed for gdb (seconds); the
/// session answers throughout, and ending it stops the decompression.
/// </summary>
[Collection(SiloTests.Name)]
public sealed class SlowDecompressionTests(SiloFixture fixture, ITestOutputHelper output)
{
    private const string Pod = "decompressing-pod";

    private HttpClient Http => fixture.Silo.Http;

    [Fact]
    public async Task While_a_core_is_decompressed_for_gdb_JSON_and_other_terminals_answer_at_once_and_DELETE_stops_it_leaving_no_gdb_and_no_partial_copy()
    {
        using var temp = new TempDirectory();
        var small = await fixture.CrashIntoAsync(Pod, "app");
        var watch = Stopwatch.StartNew();
        var large = await LargeCompressedCore.FileAsync(temp.Path, fixture.Silo.CoreRoot, Path.GetDirectoryName(small)!);
        output.WriteLine($"crash of {LargeCompressedCore.FilledBytes >> 20} MiB filed compressed ({new FileInfo(large).Length >> 20} MiB) in {watch.Elapsed.TotalSeconds:F1} s");
        var decompressed = Path.GetFileName(large)[..^".zst".Length];
        try
        {
            // Its crash report decompresses it too, for a gdb of its own: done first, so the times below are the terminal's alone.
            await CrashReportFiles.WaitForAsync(large, fixture.Silo, TimeSpan.FromMinutes(2));
            var session = await fixture.OpenSessionAsync(SiloFixture.CoredumpRequest(Pod, "app"));
            var opening = Http.PostAsJsonAsync(session + "terminals", new { file = "app/" + Path.GetFileName(large) });
            Assert.True(SpinWait.SpinUntil(() => PartialCopies(decompressed).Any(f => f.Length > 0) || opening.IsCompleted, TimeSpan.FromSeconds(20)), "the decompression never started");
            var decompressing = Stopwatch.StartNew();
            if (opening.IsCompleted) Assert.Fail($"the core was decompressed too fast for this test to mean anything: {await Answer(opening)}");

            watch.Restart();
            var view = await Http.GetFromJsonAsync<JsonElement>(session + "api");
            var described = watch.Elapsed;
            Assert.Equal(2, view.GetProperty("files").GetArrayLength());

            watch.Restart();
            var (terminal, _, ws) = await SiloFixture.OpenTerminalAsync(Http, session, "app/" + Path.GetFileName(small));
            var opened = watch.Elapsed;
            watch.Restart();
            await using var viewer = await TerminalClient.ConnectAsync(ws);
            var connected = watch.Elapsed;
            var gdb = (await Http.GetFromJsonAsync<JsonElement>(session + "api")).GetProperty("terminals").EnumerateArray()
                .Single(t => t.GetProperty("id").GetString() == terminal).GetProperty("pid").GetInt32();
            if (opening.IsCompleted) Assert.Fail($"the decompression finished before the session was closed: {await Answer(opening)}");
            var written = PartialCopies(decompressed).Sum(f => f.Length);
            output.WriteLine($"{written >> 20} MiB decompressed in {decompressing.Elapsed.TotalSeconds:F1} s when the session was closed");

            watch.Restart();
            using (var deleted = await Http.DeleteAsync(session))
            {
                Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
            }

            var closed = watch.Elapsed;
            output.WriteLine($"during decompression: JSON {described.TotalMilliseconds:F0} ms, another terminal {opened.TotalMilliseconds:F0} ms, WebSocket {connected.TotalMilliseconds:F0} ms, DELETE {closed.TotalMilliseconds:F0} ms");
            Assert.Empty(PartialCopies(decompressed));
            Assert.False(Directory.Exists($"/proc/{gdb}"), $"gdb {gdb} outlived its session");
            Assert.False(GdbRunsOn(decompressed), "a gdb runs on the core whose decompression was stopped");
            Assert.True(described < TimeSpan.FromSeconds(1), $"the session's JSON took {described.TotalMilliseconds:F0} ms during the decompression");
            Assert.True(opened < TimeSpan.FromSeconds(2), $"another terminal took {opened.TotalMilliseconds:F0} ms during the decompression");
            Assert.True(connected < TimeSpan.FromSeconds(1), $"a WebSocket connect took {connected.TotalMilliseconds:F0} ms during the decompression");
            Assert.True(closed < TimeSpan.FromSeconds(2), $"DELETE took {closed.TotalMilliseconds:F0} ms during the decompression");
            Assert.StartsWith("410 ", await Answer(opening), StringComparison.Ordinal); // the terminal's request learned the session ended
        }
        finally
        {
            File.Delete(large); // hundreds of MiB: not for the store's budget of the next tests
            File.Delete(LargeCompressedCore.Metadata(large));
        }
    }

    /// <summary>The copy gdb would get, in a hand-over directory of the store (a dot-directory the session never lists).</summary>
    private FileInfo[] PartialCopies(string name)
    {
        try
        {
            var sandbox = new DirectoryInfo(Path.Join(fixture.Silo.CoreRoot, ".sandbox"));
            return sandbox.Exists ? sandbox.GetFiles(name, SearchOption.AllDirectories) : [];
        }
        catch (IOException)
        {
            return []; // a hand-over directory went away while we looked
        }
    }

    private static bool GdbRunsOn(string core) =>
        Directory.EnumerateDirectories("/proc").Any(p =>
        {
            try
            {
                return File.ReadAllText(Path.Join(p, "cmdline")).Split('\0').Any(a => a.EndsWith("/" + core, StringComparison.Ordinal));
            }
            catch (IOException)
            {
                return false; // exited while we looked
            }
        });

    private static async Task<string> Answer(Task<HttpResponseMessage> request)
    {
        using var response = await request;
        return $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
    }
}
