using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using CoreFileProfiler.IntegrationTests.Support;
using Xunit.Abstractions;
using static CoreFileProfiler.IntegrationTests.Support.ClusterFixture;

namespace CoreFileProfiler.IntegrationTests;

/// <summary>
/// A session outlives its node's silo (a DaemonSet's rolling update): real silos kept in a real
/// redis-server, stopped with SIGTERM and started again under the same node name. What Redis holds is
/// sealed: it names no session, and a record an attacker with write access to Redis put there is refused.
/// </summary>
[Collection(ClusterTests.Name)]
public sealed class SessionRestartTests(ClusterFixture cluster, ITestOutputHelper output)
{
    private const string Prompt = "(gdb) ";
    private const string Restarted = "The profiler on this node restarted";
    private const string SessionRecords = "*/state/debugsession/*";
    private const string Registry = "core-file-profiler/registry/node-b";
    private const string Refused = "does not open with this cluster";

    [Fact]
    public async Task After_its_silo_restarts_a_session_lists_its_cores_opens_new_terminals_and_expires_on_time()
    {
        var core = await cluster.CrashIntoAsync(cluster.B, "rolled-on-b");
        var file = "app/" + Path.GetFileName(core);
        var request = CoredumpRequest("rolled-on-b", "node-b");
        request[SiloFixture.Parameter + "expiration_seconds"] = "36"; // the restart (18 to 21 s here) and the checks after it fit
        var earlierRecords = await cluster.Redis.KeysAsync(SessionRecords);
        var session = await SiloFixture.OpenSessionAsync(cluster.A, request);
        var record = Assert.Single((await cluster.Redis.KeysAsync(SessionRecords)).Except(earlierRecords));
        var id = session.Split('/')[2];
        var expiresAt = (await cluster.A.Http.GetFromJsonAsync<JsonElement>(session + "api")).GetProperty("expiresAt").GetDateTimeOffset();
        var old = await SiloFixture.OpenTerminalBodyAsync(cluster.A.Http, session, file);
        await using (var viewer = await TerminalClient.ConnectAsync(old.GetProperty("ws").GetString()!))
        {
            await viewer.WaitForAsync(Prompt);
        }

        var oldGdb = await GdbPidAsync(cluster.A, session, old.GetProperty("id").GetString()!);
        var oldLog = cluster.B.LogPath;

        // An attacker with write access to Redis: a valid sealed record (this session's, with its target) copied
        // over another session's, and a registry entry of their own.
        var known = await cluster.Redis.KeysAsync(SessionRecords);
        var victim = await SiloFixture.OpenSessionAsync(cluster.A, CoredumpRequest("rolled-on-b", "node-b"));
        var victimRecord = Assert.Single((await cluster.Redis.KeysAsync(SessionRecords)).Except(known));
        await cluster.Redis.CopyAsync(record, victimRecord);
        await cluster.Redis.SetFieldAsync(Registry, "forged", "a session of my own");

        // As a DaemonSet's rolling update does it: SIGTERM, the old silo's orderly exit, a new one under the same node name.
        var rolling = Stopwatch.StartNew();
        await cluster.B.TerminateAsync(TimeSpan.FromSeconds(30));
        var stopped = rolling.Elapsed;
        var b = await cluster.RestartAsync("node-b");
        var ready = rolling.Elapsed;
        await WaitForNodesAsync(cluster.A, up: Nodes);
        Assert.Equal(HttpStatusCode.OK, await StatusWithinAsync(cluster.A, session + "api", HttpStatusCode.OK, TimeSpan.FromSeconds(10)));
        var rolled = rolling.Elapsed;
        output.WriteLine($"SIGTERM: old silo gone after {stopped.TotalSeconds:F1} s, new one ready after {ready.TotalSeconds:F1} s, the session answering through node-a after {rolled.TotalSeconds:F1} s");
        Assert.False(Directory.Exists($"/proc/{oldGdb}"), $"gdb {oldGdb} outlived the silo that ran it");
        Assert.True(expiresAt - DateTimeOffset.UtcNow > TimeSpan.FromSeconds(6), $"The restart took {rolled}: too long to check the session before it expires.");

        // The same session through the new silo and through another gateway: its cores, its time, and what became of its terminal.
        foreach (var gateway in new[] { b, cluster.A })
        {
            var view = await gateway.Http.GetFromJsonAsync<JsonElement>(session + "api");
            Assert.Equal(file, Assert.Single(view.GetProperty("files").EnumerateArray()).GetProperty("path").GetString());
            Assert.Equal(expiresAt, view.GetProperty("expiresAt").GetDateTimeOffset());
            var earlier = Assert.Single(view.GetProperty("terminals").EnumerateArray());
            Assert.StartsWith(Restarted, earlier.GetProperty("endReason").GetString(), StringComparison.Ordinal);
            var page = await gateway.Http.GetStringAsync(session);
            Assert.Contains(file, page, StringComparison.Ordinal);
            Assert.Contains(Restarted, page, StringComparison.Ordinal); // the earlier terminal's state, where its gdb pid says "—"
        }

        // Whoever reconnects to the old terminal, or its watch link, through either gateway, is told why it ended.
        foreach (var ws in new[] { OnGateway(old.GetProperty("ws").GetString()!, b), OnGateway(old.GetProperty("watchWs").GetString()!, cluster.A) })
        {
            await using var late = await TerminalClient.ConnectAsync(ws);
            await late.WaitClosedAsync(TimeSpan.FromSeconds(10));
            Assert.Contains(Restarted, late.Text, StringComparison.Ordinal);
            Assert.Equal(WebSocketCloseStatus.NormalClosure, late.CloseStatus); // final: the page stops reconnecting
            Assert.StartsWith(Restarted, late.CloseReason, StringComparison.Ordinal);
        }

        // The copied record opened nothing: the victim's URL is ended (not the other session), and node-b said why.
        foreach (var gateway in new[] { b, cluster.A })
        {
            Assert.Equal(HttpStatusCode.Gone, (await gateway.Http.GetAsync(victim + "api")).StatusCode);
            Assert.Equal(HttpStatusCode.Gone, (await gateway.Http.GetAsync(victim + "files/" + file)).StatusCode);
        }

        var refusals = b.Log().Split('\n').Where(line => line.Contains(Refused, StringComparison.Ordinal)).ToList();
        Assert.Contains(refusals, line => line.Contains("\"StateName\":\"session\"", StringComparison.Ordinal));
        Assert.Contains(refusals, line => line.Contains("session registry", StringComparison.Ordinal));

        using var recording = await cluster.A.Http.GetAsync(new Uri(old.GetProperty("url").GetString()!).AbsolutePath + "recording");
        Assert.Equal(HttpStatusCode.Gone, recording.StatusCode);
        Assert.Contains(Restarted, (await recording.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);

        // A new terminal: gdb on the same core, through the other gateway.
        var opened = await SiloFixture.OpenTerminalBodyAsync(cluster.A.Http, session, file);
        var newId = opened.GetProperty("id").GetString()!;
        await using var fresh = await TerminalClient.ConnectAsync(opened.GetProperty("ws").GetString()!);
        await fresh.WaitForAsync(Prompt);
        await fresh.TypeAsync("bt\n");
        var backtrace = await fresh.WaitForAsync(text => text.Contains("in main", StringComparison.Ordinal), "a backtrace down to main");
        Assert.Contains(CrashingProgram.CrashingFunction, backtrace, StringComparison.Ordinal);
        var newGdb = await GdbPidAsync(b, session, newId);

        // The cluster view counts and lists it as before.
        var sessions = (await AdminGetAsync(cluster.C, "/api/sessions")).EnumerateArray().ToList();
        var listed = sessions.Single(s => s.GetProperty("id").GetString() == id);
        Assert.Equal(2, listed.GetProperty("terminals").GetArrayLength());
        Assert.DoesNotContain(sessions, s => s.GetProperty("id").GetString() == victim.Split('/')[2]);
        output.WriteLine($"stored: the session with 2 terminals {await cluster.Redis.FieldLengthAsync(record, "data")} bytes sealed");

        // Whoever reads Redis learns no session's, terminal's or watch link's id: not from a key, a field or a value.
        string[] capabilities = [id, victim.Split('/')[2], old.GetProperty("id").GetString()!, WatchIdOf(old), newId, WatchIdOf(opened)];
        var stored = await cluster.Redis.DumpAsync();
        Assert.Contains(Registry, stored, StringComparison.Ordinal); // the dump is of the right Redis
        Assert.DoesNotContain(capabilities, capability => stored.Contains(capability, StringComparison.Ordinal));

        // Its expiry timer was restored: it ends at its original time, gdb with it, and nothing of it stays in Redis.
        await fresh.WaitClosedAsync(expiresAt - DateTimeOffset.UtcNow + TimeSpan.FromSeconds(10));
        var endedAt = DateTimeOffset.UtcNow;
        Assert.Contains("expired", fresh.CloseReason, StringComparison.Ordinal);
        Assert.InRange(endedAt, expiresAt, expiresAt + TimeSpan.FromSeconds(5));
        Assert.False(Directory.Exists($"/proc/{newGdb}"), $"gdb {newGdb} outlived its session");
        foreach (var gateway in new[] { b, cluster.A })
        {
            Assert.Equal(HttpStatusCode.Gone, (await gateway.Http.GetAsync(session + "api")).StatusCode);
        }

        Assert.DoesNotContain((await AdminGetAsync(cluster.A, "/api/sessions")).EnumerateArray(), s => s.GetProperty("id").GetString() == id);
        Assert.DoesNotContain(record, await cluster.Redis.KeysAsync(SessionRecords));

        // Both lives of node-b logged the session, restored included, by its hash only.
        var logs = await File.ReadAllTextAsync(oldLog) + b.Log();
        var hash = $"\"SessionHash\":\"{CapabilityLeaks.HashOf(id)}\"";
        Assert.Contains(b.Log().Split('\n'), line => line.Contains(hash, StringComparison.Ordinal) && line.Contains(" restored:", StringComparison.Ordinal));
        Assert.Empty(CapabilityLeaks.In(logs, capabilities));
    }

    [Fact]
    public async Task A_sealed_record_put_back_after_its_session_ended_opens_nothing()
    {
        var file = "app/" + Path.GetFileName(await cluster.CrashIntoAsync(cluster.B, "replayed-on-b"));
        var known = await cluster.Redis.KeysAsync(SessionRecords);
        var session = await SiloFixture.OpenSessionAsync(cluster.A, CoredumpRequest("replayed-on-b", "node-b"));
        var record = Assert.Single((await cluster.Redis.KeysAsync(SessionRecords)).Except(known));
        Assert.Equal(HttpStatusCode.OK, (await cluster.A.Http.GetAsync(session + "files/" + file)).StatusCode);

        // An attacker with read and write access to Redis keeps the record, the holder closes the session,
        // and the attacker puts the record back: sealed by the cluster, but no longer current.
        var kept = record + ":kept";
        await cluster.Redis.CopyAsync(record, kept);
        Assert.Equal(HttpStatusCode.NoContent, (await cluster.A.Http.DeleteAsync(session)).StatusCode);
        Assert.Equal(HttpStatusCode.Gone, (await cluster.A.Http.GetAsync(session + "api")).StatusCode);
        await cluster.Redis.CopyAsync(kept, record);

        foreach (var gateway in new[] { cluster.A, cluster.B })
        {
            Assert.Equal(HttpStatusCode.Gone, (await gateway.Http.GetAsync(session + "api")).StatusCode);
            Assert.Equal(HttpStatusCode.Gone, (await gateway.Http.GetAsync(session + "files/" + file)).StatusCode);
        }

        Assert.DoesNotContain((await AdminGetAsync(cluster.A, "/api/sessions")).EnumerateArray(), s => session.Contains(s.GetProperty("id").GetString()!, StringComparison.Ordinal));
        var hash = $"\"SessionHash\":\"{CapabilityLeaks.HashOf(session.Split('/')[2])}\"";
        Assert.Contains(cluster.B.Log().Split('\n'), line => line.Contains(hash, StringComparison.Ordinal) && line.Contains("does not list it live", StringComparison.Ordinal));
    }

    private static string WatchIdOf(JsonElement terminal) => new Uri(terminal.GetProperty("watch").GetString()!).Segments[2].TrimEnd('/');

    private static async Task<int> GdbPidAsync(SiloProcess gateway, string session, string terminalId) =>
        (await gateway.Http.GetFromJsonAsync<JsonElement>(session + "api")).GetProperty("terminals").EnumerateArray()
            .Single(t => t.GetProperty("id").GetString() == terminalId).GetProperty("pid").GetInt32();
}
