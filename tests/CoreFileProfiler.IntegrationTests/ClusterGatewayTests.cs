using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using CoreFileProfiler.IntegrationTests.Support;
using static CoreFileProfiler.IntegrationTests.Support.ClusterFixture;

namespace CoreFileProfiler.IntegrationTests;

/// <summary>Any gateway serves any node, in three real silos clustered through a real redis-server.</summary>
[Collection(ClusterTests.Name)]
public sealed class ClusterGatewayTests(ClusterFixture cluster)
{
    private const string Prompt = "(gdb) ";

    [Fact]
    public async Task A_session_of_node_c_opened_through_a_is_served_by_a_and_by_c()
    {
        var core = await cluster.CrashIntoAsync(cluster.C, "crash-on-c");
        var coreBytes = await File.ReadAllBytesAsync(core);
        var file = "app/" + Path.GetFileName(core);

        using var response = await SiloFixture.PostProcessorAsync(ClusterFixture.CoredumpRequest("crash-on-c", "node-c"), cluster.A.Http);
        var url = (await response.Content.ReadFromJsonAsync<Dictionary<string, string>>())![SiloFixture.ResultKey];
        Assert.Matches($"^http://node-a:{cluster.A.Port}/sessions/node-c\\.[A-Za-z0-9_-]{{28}}/$", url); // a gateway that can serve it
        var session = new Uri(url).AbsolutePath;

        foreach (var gateway in new[] { cluster.A, cluster.C })
        {
            Assert.Contains(file, await gateway.Http.GetStringAsync(session), StringComparison.Ordinal);
            var view = await gateway.Http.GetFromJsonAsync<JsonElement>(session + "api");
            Assert.Equal("node-c", view.GetProperty("node").GetString());
            Assert.Equal(file, Assert.Single(view.GetProperty("files").EnumerateArray()).GetProperty("path").GetString());

            using var whole = await gateway.Http.GetAsync(session + "files/" + file);
            Assert.Equal(coreBytes.Length, whole.Content.Headers.ContentLength);
            Assert.Equal(SHA256.HashData(coreBytes), SHA256.HashData(await whole.Content.ReadAsByteArrayAsync()));

            var from = coreBytes.Length / 3;
            using var rangeRequest = new HttpRequestMessage(HttpMethod.Get, session + "files/" + file) { Headers = { Range = new RangeHeaderValue(from, null) } };
            using var tail = await gateway.Http.SendAsync(rangeRequest);
            Assert.Equal(HttpStatusCode.PartialContent, tail.StatusCode);
            Assert.Equal(SHA256.HashData(coreBytes.AsSpan(from)), SHA256.HashData(await tail.Content.ReadAsByteArrayAsync()));
        }

        // gdb runs on node-c; its terminal is typed into through a and watched through c.
        var (_, _, ws) = await SiloFixture.OpenTerminalAsync(cluster.A.Http, session, file);
        await using var throughA = await TerminalClient.ConnectAsync(ws);
        await throughA.WaitForAsync(Prompt);
        await throughA.TypeAsync("bt\n");
        var backtrace = await throughA.WaitForAsync(text => text.Contains("in main", StringComparison.Ordinal), "a backtrace down to main");
        Assert.Contains(CrashingProgram.CrashingFunction, backtrace, StringComparison.Ordinal);

        await using var throughC = await TerminalClient.ConnectAsync(ws.Replace($":{cluster.A.Port}/", $":{cluster.C.Port}/", StringComparison.Ordinal));
        var replayed = await throughC.WaitForAsync(text => text.Contains("in main", StringComparison.Ordinal), "the backtrace, replayed through c");
        Assert.Contains(CrashingProgram.CrashingFunction, replayed, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Two_viewers_on_different_gateways_see_the_same_output_in_order()
    {
        var core = await cluster.CrashIntoAsync(cluster.C, "shared-on-c");
        var session = await ClusterFixture.OpenSessionAsync(cluster.B, "node-c", "shared-on-c");
        var (_, _, ws) = await SiloFixture.OpenTerminalAsync(cluster.B.Http, session, "app/" + Path.GetFileName(core));
        await using var onA = await TerminalClient.ConnectAsync(OnGateway(ws, cluster.A));
        await using var onB = await TerminalClient.ConnectAsync(OnGateway(ws, cluster.B));
        await onA.WaitForAsync(Prompt);
        await onB.WaitForAsync(Prompt);

        await onB.TypeAsync("print 6*7\n");
        await onA.WaitForAsync("$1 = 42");
        await onA.TypeAsync("print 7*8\n");
        // Up to the prompt after it: each viewer gets gdb's output in its own pieces, so one may
        // already hold the prompt when the other has only the answer.
        var seenByB = await onB.WaitForAsync("$2 = 56\r\n" + Prompt);
        var seenByA = await onA.WaitForAsync("$2 = 56\r\n" + Prompt);

        Assert.True(seenByB.IndexOf("$1 = 42", StringComparison.Ordinal) < seenByB.IndexOf("$2 = 56", StringComparison.Ordinal));
        Assert.Equal(seenByA[seenByA.IndexOf("$1 = 42", StringComparison.Ordinal)..], seenByB[seenByB.IndexOf("$1 = 42", StringComparison.Ordinal)..]);
    }

    [Fact]
    public async Task A_watch_link_of_a_terminal_on_node_c_works_through_every_gateway_and_ends_with_its_session()
    {
        var core = await cluster.CrashIntoAsync(cluster.C, "watched-on-c");
        var session = await ClusterFixture.OpenSessionAsync(cluster.B, "node-c", "watched-on-c");
        var terminal = await SiloFixture.OpenTerminalBodyAsync(cluster.B.Http, session, "app/" + Path.GetFileName(core));
        var watch = terminal.GetProperty("watch").GetString()!;
        var watchWs = terminal.GetProperty("watchWs").GetString()!;
        Assert.Contains("/watch/node-c.", watch, StringComparison.Ordinal); // the node that resolves it, and nothing more
        await using var writer = await TerminalClient.ConnectAsync(terminal.GetProperty("ws").GetString()!);
        await writer.WaitForAsync(Prompt);

        // Through a (the grain's stream) and c (gdb's own node, joined directly).
        await using var onA = await TerminalClient.ConnectAsync(OnGateway(watchWs, cluster.A));
        await using var onC = await TerminalClient.ConnectAsync(OnGateway(watchWs, cluster.C));
        await onA.WaitForAsync(Prompt);
        await onC.WaitForAsync(Prompt);
        await onA.TypeAsync("print 6*7\n");
        await onC.TypeAsync("print 6*7\n");
        await Task.Delay(1000); // time for them to have reached gdb, had they been let through
        await writer.TypeAsync("print 7*8\n");
        await onA.WaitForAsync("$1 = 56");
        await onC.WaitForAsync("$1 = 56");
        Assert.DoesNotContain("= 42", writer.Text, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await cluster.A.Http.GetAsync(new Uri(watch).AbsolutePath)).StatusCode);

        var recording = await cluster.A.Http.GetStringAsync(new Uri(terminal.GetProperty("url").GetString()!).AbsolutePath + "recording");
        Assert.Contains("print 7*8", recording, StringComparison.Ordinal);
        Assert.DoesNotContain("6*7", recording, StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.NoContent, (await cluster.A.Http.DeleteAsync(session)).StatusCode);
        await onA.WaitClosedAsync(TimeSpan.FromSeconds(10));
        await onC.WaitClosedAsync(TimeSpan.FromSeconds(10));
        foreach (var gateway in cluster.Silos)
        {
            Assert.Equal(HttpStatusCode.Gone, (await gateway.Http.GetAsync(new Uri(watch).AbsolutePath)).StatusCode);
        }
    }

    [Fact]
    public async Task The_cluster_api_on_every_silo_lists_every_nodes_sessions_and_cores()
    {
        var ids = new Dictionary<string, string>();
        foreach (var silo in cluster.Silos.ToList())
        {
            await cluster.CrashIntoAsync(silo, $"listed-{silo.Node}");
            ids[silo.Node] = Path.GetFileName((await ClusterFixture.OpenSessionAsync(cluster.A, silo.Node, $"listed-{silo.Node}")).TrimEnd('/'));
        }

        foreach (var silo in cluster.Silos)
        {
            // Up nodes only: the transport tests leave a refused silo's node listed down.
            var nodes = (await ClusterFixture.AdminGetAsync(silo, "/api/nodes")).EnumerateArray().Where(n => n.GetProperty("status").GetString() == "up").ToList();
            Assert.Equal(["node-a", "node-b", "node-c"], nodes.Select(n => n.GetProperty("node").GetString()));
            Assert.All(nodes, n => Assert.True(n.GetProperty("cores").GetInt32() >= 1));

            var sessions = (await ClusterFixture.AdminGetAsync(silo, "/api/sessions")).EnumerateArray().ToList();
            foreach (var (node, id) in ids)
            {
                var listed = Assert.Single(sessions, s => s.GetProperty("id").GetString() == id);
                Assert.Equal(node, listed.GetProperty("node").GetString());
                Assert.EndsWith($"/sessions/{id}/", listed.GetProperty("url").GetString(), StringComparison.Ordinal);
            }

            foreach (var node in ids.Keys)
            {
                var cores = await ClusterFixture.AdminGetAsync(silo, $"/api/cores?namespace={SiloFixture.Namespace}&pod=listed-{node}");
                var core = Assert.Single(cores.EnumerateArray());
                Assert.Equal(node, core.GetProperty("node").GetString());
                Assert.Equal("app", core.GetProperty("container").GetString());
                Assert.StartsWith(cluster.Silos.Single(s => s.Node == node).CoreRoot, core.GetProperty("path").GetString(), StringComparison.Ordinal);
            }
        }

        // Ending a session of node-c from node-b's gateway: every gateway then says it is gone.
        using var ended = await ClusterFixture.AdminAsync(cluster.B, HttpMethod.Delete, $"/api/sessions/{ids["node-c"]}");
        Assert.Equal(HttpStatusCode.NoContent, ended.StatusCode);
        using var gone = await cluster.A.Http.GetAsync($"/sessions/{ids["node-c"]}/api");
        Assert.Equal(HttpStatusCode.Gone, gone.StatusCode);

        // A token is set, so being on loopback is not enough, and a wrong token is refused.
        using var anonymous = await ClusterFixture.AdminAsync(cluster.A, HttpMethod.Get, "/api/sessions", token: null);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        using var wrong = await ClusterFixture.AdminAsync(cluster.A, HttpMethod.Get, "/api/sessions", token: "not-the-token");
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        using var page = await cluster.A.Http.GetAsync("/");
        Assert.Equal(HttpStatusCode.Unauthorized, page.StatusCode);
    }

    [Fact]
    public async Task A_killed_silo_is_shown_down_the_rest_keep_serving_and_its_restart_rejoins()
    {
        var sessions = new Dictionary<string, string>();
        foreach (var silo in cluster.Silos.ToList())
        {
            await cluster.CrashIntoAsync(silo, $"survivor-{silo.Node}");
            sessions[silo.Node] = await ClusterFixture.OpenSessionAsync(cluster.A, silo.Node, $"survivor-{silo.Node}");
        }

        await cluster.KillAsync("node-b");
        var killed = System.Diagnostics.Stopwatch.StartNew();
        // Before membership declares it dead, Orleans fails calls to node-b's silo: both paths say 503 too.
        await AssertRefusedAlikeAsync(cluster.A, sessions["node-b"], "node-b");
        var shownDown = await ClusterFixture.WaitForNodesAsync(cluster.A, up: ["node-a", "node-c"], down: ["node-b"], seconds: 30);
        await ClusterFixture.WaitForNodesAsync(cluster.C, up: ["node-a", "node-c"], down: ["node-b"], seconds: 30);

        // Until membership declares node-b dead, grain lookups that node-b's directory partition owned
        // fail (503); after that (~3.5 s with these probe settings), a and c serve their sessions again.
        foreach (var gateway in new[] { cluster.A, cluster.C })
        {
            foreach (var node in new[] { "node-a", "node-c" })
            {
                Assert.Equal(HttpStatusCode.OK, await StatusWithinAsync(gateway, sessions[node] + "api", HttpStatusCode.OK, TimeSpan.FromSeconds(20)));
            }

            await AssertRefusedAlikeAsync(gateway, sessions["node-b"], "node-b");
        }

        var servingAgain = killed.Elapsed;
        using var listing = await ClusterFixture.AdminAsync(cluster.C, HttpMethod.Get, "/api/sessions");
        // Contains: a silo the transport tests refused stays in the membership table, a node that is down.
        Assert.Contains("node-b", listing.Headers.GetValues("X-Unavailable-Nodes").Single().Split(", "));
        var listed = (await listing.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray().Select(s => s.GetProperty("node").GetString()).ToHashSet();
        Assert.Contains("node-a", listed);
        Assert.Contains("node-c", listed);

        var restarted = await cluster.RestartAsync("node-b");
        await ClusterFixture.WaitForNodesAsync(cluster.A, up: ClusterFixture.Nodes);
        // Its session outlived the killed silo (kept in Redis): the new one serves it, and its core.
        Assert.Equal(HttpStatusCode.OK, await StatusWithinAsync(cluster.A, sessions["node-b"] + "api", HttpStatusCode.OK, TimeSpan.FromSeconds(20)));
        var survived = await cluster.A.Http.GetFromJsonAsync<JsonElement>(sessions["node-b"] + "api");
        Assert.Single(survived.GetProperty("files").EnumerateArray());
        var fresh = await ClusterFixture.OpenSessionAsync(cluster.C, "node-b", "survivor-node-b");
        var view = await cluster.A.Http.GetFromJsonAsync<JsonElement>(fresh + "api");
        Assert.Equal("node-b", view.GetProperty("node").GetString());
        Assert.Single(view.GetProperty("files").EnumerateArray());
        Assert.True(shownDown < TimeSpan.FromSeconds(15), $"node-b was shown down only after {shownDown}");
        Assert.True(servingAgain < TimeSpan.FromSeconds(15), $"a and c served their sessions again only after {servingAgain}");
        Assert.Contains("node-b", await restarted.Http.GetStringAsync(fresh), StringComparison.Ordinal); // and serves it itself
    }

    /// <summary>
    /// A node whose silo is gone, reached through the processor (its endpoint) and through a session's JSON
    /// (the exception handler): the same 503, naming the node but never the session, and the processor counts
    /// it as unavailable.
    /// </summary>
    private static async Task AssertRefusedAlikeAsync(SiloProcess gateway, string session, string node)
    {
        var body = SiloFixture.CoredumpRequest($"survivor-{node}");
        body["node"] = node;
        using var opened = await SiloFixture.PostProcessorAsync(body, gateway.Http);
        using var described = await gateway.Http.GetAsync(session + "api");
        var (openedWhy, describedWhy) = (await opened.Content.ReadAsStringAsync(), await described.Content.ReadAsStringAsync());

        Assert.True(opened.StatusCode == HttpStatusCode.ServiceUnavailable, $"processor: {(int)opened.StatusCode} {openedWhy}");
        Assert.True(described.StatusCode == HttpStatusCode.ServiceUnavailable, $"session: {(int)described.StatusCode} {describedWhy}");
        Assert.All(new[] { openedWhy, describedWhy }, why => Assert.Contains($"Node '{node}'", why, StringComparison.Ordinal));
        Assert.DoesNotContain(session.Split('/')[2], describedWhy, StringComparison.Ordinal); // Orleans' own message names the grain, so the capability
        Assert.Matches("cfp_processor_calls_total\\{[^}]*outcome=\"unavailable\"", await gateway.Http.GetStringAsync("/metrics"));
    }

    [Fact]
    public async Task Without_a_token_the_cluster_api_and_page_refuse_clients_not_on_loopback()
    {
        var address = MachineAddress.NonLoopbackIPv4();
        using var temp = new TempDirectory();
        await using var silo = await SiloProcess.StartAsync(temp.Path, "lonely", "0.0.0.0", []);
        using var remote = new HttpClient { BaseAddress = new Uri($"http://{address}:{silo.Port}") };

        foreach (var path in new[] { "/api/nodes", "/api/sessions", "/api/cores", "/" })
        {
            using var refused = await remote.GetAsync(path);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            using var allowed = await silo.Http.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        }

        using var delete = await remote.DeleteAsync("/api/sessions/lonely.AAAAAAAAAAAAAAAAAAAAAAAAAAAA");
        Assert.Equal(HttpStatusCode.Unauthorized, delete.StatusCode);
        // With no token configured, no cookie is one: not an empty one, not any other (and none is a 500).
        foreach (var cookie in new[] { "cfp-admin=x", "cfp-admin=" })
        {
            using var withCookie = new HttpRequestMessage(HttpMethod.Get, "/api/sessions") { Headers = { { "Cookie", cookie } } };
            using var refusedCookie = await remote.SendAsync(withCookie);
            Assert.Equal(HttpStatusCode.Unauthorized, refusedCookie.StatusCode);
        }
        var nodes = await silo.Http.GetFromJsonAsync<JsonElement>("/api/nodes");
        Assert.Equal("lonely", Assert.Single(nodes.EnumerateArray()).GetProperty("node").GetString());
    }

    [Fact]
    public async Task A_target_wider_than_a_pod_on_another_node_is_refused_to_a_tokenless_caller_and_opened_with_the_token()
    {
        // node-a's gateway knows the caller; node-b knows that its whole store is wider than one pod.
        var body = SiloFixture.CoredumpRequest(pod: null);
        body[SiloFixture.Parameter + "filepath"] = cluster.B.CoreRoot;
        body["node"] = "node-b";

        using var refused = await SiloFixture.PostProcessorAsync(body, cluster.A.Http);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/processor/coreFileProfiler") { Content = JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ClusterFixture.AdminToken);
        using var admitted = await cluster.A.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("Auth:ProcessorCallers", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.True(admitted.StatusCode == HttpStatusCode.OK, await admitted.Content.ReadAsStringAsync());
        var url = (await admitted.Content.ReadFromJsonAsync<Dictionary<string, string>>())![SiloFixture.ResultKey];
        Assert.Contains("/sessions/node-b.", url, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_terminals_viewer_limit_holds_whichever_gateway_the_viewers_come_through()
    {
        var core = await cluster.CrashIntoAsync(cluster.C, "crowded-on-c");
        var session = await ClusterFixture.OpenSessionAsync(cluster.B, "node-c", "crowded-on-c");
        var terminal = await SiloFixture.OpenTerminalBodyAsync(cluster.B.Http, session, "app/" + Path.GetFileName(core));
        var ws = terminal.GetProperty("ws").GetString()!;
        var watchWs = terminal.GetProperty("watchWs").GetString()!;
        var viewers = new List<TerminalClient>();
        try
        {
            // 32 (Profiler:MaxViewersPerTerminal): through a and b (the grain's stream, watchers on b) and c (gdb's own node).
            var urls = Enumerable.Range(0, 32).Select(i => (i % 3) switch
            {
                0 => OnGateway(ws, cluster.A),
                1 => OnGateway(watchWs, cluster.B),
                _ => OnGateway(ws, cluster.C),
            });
            viewers.AddRange(await Task.WhenAll(urls.Select(url => TerminalClient.ConnectAsync(url))));
            await Task.WhenAll(viewers.Select(v => v.WaitForAsync(Prompt)));

            foreach (var refused in new[] { OnGateway(ws, cluster.A), OnGateway(watchWs, cluster.B), OnGateway(ws, cluster.C) })
            {
                var refusal = await Assert.ThrowsAsync<System.Net.WebSockets.WebSocketException>(() => TerminalClient.ConnectAsync(refused));
                Assert.Contains("503", refusal.Message, StringComparison.Ordinal);
            }

            // One leaves through a; the next gets in through b.
            await viewers[0].DisposeAsync();
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while ((await cluster.B.Http.GetFromJsonAsync<JsonElement>(session + "api")).GetProperty("terminals")[0].GetProperty("viewers").GetInt32() >= 32)
            {
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), "the viewer that left still counts"); // its stream from c ends asynchronously
                await Task.Delay(100);
            }

            var next = await TerminalClient.ConnectAsync(OnGateway(watchWs, cluster.B));
            viewers.Add(next);
            await next.WaitForAsync(Prompt);
        }
        finally
        {
            foreach (var viewer in viewers) await viewer.DisposeAsync();
            await cluster.B.Http.DeleteAsync(session);
        }
    }
}
