using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using CoreFileProfiler.IntegrationTests.Support;

namespace CoreFileProfiler.IntegrationTests;

/// <summary>
/// A gateway that is not the session's node forwards downloads, terminals and recordings to the owning
/// node's gateway over mutual TLS (the fixture's cluster runs with cluster TLS), falls back to Orleans
/// messaging when that gateway cannot be reached, and never forwards what no session names.
/// </summary>
[Collection(ClusterTests.Name)]
public sealed class ClusterForwardingTests(ClusterFixture cluster)
{
    [Fact]
    public async Task A_download_through_another_nodes_gateway_is_served_by_the_owning_node_with_ranges_validators_and_head()
    {
        var core = await cluster.CrashIntoAsync(cluster.C, "forwarded-on-c");
        var bytes = await File.ReadAllBytesAsync(core);
        var session = await ClusterFixture.OpenSessionAsync(cluster.A, "node-c", "forwarded-on-c");
        var file = session + "files/app/" + Path.GetFileName(core);
        var servedByC = await DownloadsServedAsync(cluster.C);

        using var whole = await cluster.A.Http.GetAsync(file);
        Assert.Equal(HttpStatusCode.OK, whole.StatusCode);
        Assert.Equal(SHA256.HashData(bytes), SHA256.HashData(await whole.Content.ReadAsByteArrayAsync()));
        Assert.Equal("no-store", Assert.Single(whole.Headers.GetValues("Cache-Control")));
        var etag = whole.Headers.ETag!;

        var from = bytes.Length / 3;
        using var tail = await cluster.A.SendAsync(HttpMethod.Get, file, r => r.Headers.Range = new RangeHeaderValue(from, from + 99));
        Assert.Equal(HttpStatusCode.PartialContent, tail.StatusCode);
        Assert.Equal(bytes.AsSpan(from, 100).ToArray(), await tail.Content.ReadAsByteArrayAsync());

        // If-Range with the current validator resumes; with a stale one the whole file comes back.
        using var resumed = await cluster.A.SendAsync(HttpMethod.Get, file, r =>
        {
            r.Headers.Range = new RangeHeaderValue(from, null);
            r.Headers.IfRange = new RangeConditionHeaderValue(etag);
        });
        Assert.Equal(HttpStatusCode.PartialContent, resumed.StatusCode);
        Assert.Equal(SHA256.HashData(bytes.AsSpan(from)), SHA256.HashData(await resumed.Content.ReadAsByteArrayAsync()));
        using var stale = await cluster.A.SendAsync(HttpMethod.Get, file, r =>
        {
            r.Headers.Range = new RangeHeaderValue(from, null);
            r.Headers.IfRange = new RangeConditionHeaderValue(new EntityTagHeaderValue("\"0-0\""));
        });
        Assert.Equal(HttpStatusCode.OK, stale.StatusCode);
        Assert.Equal(SHA256.HashData(bytes), SHA256.HashData(await stale.Content.ReadAsByteArrayAsync()));

        using var head = await cluster.A.SendAsync(HttpMethod.Head, file);
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(bytes.Length, head.Content.Headers.ContentLength);
        Assert.Equal("bytes", Assert.Single(head.Headers.AcceptRanges));

        // node-c itself read them from its disk: the bytes did not go through the session grain.
        Assert.Equal(servedByC + 4, await DownloadsServedAsync(cluster.C));
    }

    [Fact]
    public async Task Every_range_validator_and_head_request_through_another_nodes_gateway_is_answered_as_by_the_owning_gateway()
    {
        var core = await cluster.CrashIntoAsync(cluster.C, "matrix-on-c");
        var length = new FileInfo(core).Length;
        var session = await ClusterFixture.OpenSessionAsync(cluster.A, "node-c", "matrix-on-c");
        var file = session + "files/app/" + Path.GetFileName(core);
        var statuses = await DownloadMatrix.AssertForwardedAlikeAsync(cluster.C, cluster.A, file, length);
        Assert.Equal(new HashSet<int> { 200, 206, 304, 412, 416 }, statuses);
    }

    [Fact]
    public async Task A_client_that_leaves_a_download_through_another_nodes_gateway_ends_the_owning_gateways_transfer()
    {
        var core = await cluster.CrashIntoAsync(cluster.C, "left-on-c");
        // A large core that costs no disk: were its transfer left running, node-c would send all of it.
        var large = Path.Join(Path.GetDirectoryName(core), "1_20261130-000000");
        await using (var sparse = new FileStream(large, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.None))
        {
            sparse.SetLength(512L << 20);
        }

        File.SetUnixFileMode(large, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var session = await ClusterFixture.OpenSessionAsync(cluster.A, "node-c", "left-on-c");
        var sentBefore = await BytesSentAsync(cluster.C);

        using (var response = await cluster.A.Http.GetAsync(session + "files/app/" + Path.GetFileName(large), HttpCompletionOption.ResponseHeadersRead))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            await using var body = await response.Content.ReadAsStreamAsync();
            var buffer = new byte[1 << 20];
            for (var read = 0L; read < 4 << 20;) read += await body.ReadAsync(buffer);
        } // the client leaves after 4 MiB

        // node-a closes its connection to node-c (a transfer left running would keep one, with node-c's bytes
        // queued in it), and node-c stops sending, far short of the file.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (ProcessSockets.UnreadBytesFrom(cluster.A.Pid, cluster.C.ForwardingPort).Any(unread => unread > 0))
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), "node-a still holds a transfer from node-c");
            await Task.Delay(100);
        }

        var sent = await BytesSentAsync(cluster.C) - sentBefore;
        Assert.Equal(sent, await BytesSentAsync(cluster.C) - sentBefore);
        Assert.True(sent < 128 << 20, $"node-c sent {sent} bytes of a download its client left after 4 MiB");

        // The honest path still works: the end of the same file, resumed through node-a.
        using var resumed = await cluster.A.SendAsync(HttpMethod.Get, session + "files/app/" + Path.GetFileName(large), r => r.Headers.Range = new RangeHeaderValue((512L << 20) - 100, null));
        Assert.Equal(HttpStatusCode.PartialContent, resumed.StatusCode);
        Assert.Equal(new byte[100], await resumed.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task A_zstd_core_is_served_through_another_nodes_gateway_as_on_its_own()
    {
        var core = await cluster.CrashIntoAsync(cluster.C, "zstd-on-c");
        var bytes = await File.ReadAllBytesAsync(core);
        var (exit, output) = await Command.RunAsync("zstd", ["-q", "--rm", core], Path.GetDirectoryName(core)!);
        Assert.True(exit == 0, output);
        var session = await ClusterFixture.OpenSessionAsync(cluster.A, "node-c", "zstd-on-c");
        var file = session + "files/app/" + Path.GetFileName(core) + ".zst";

        using var own = await cluster.C.Http.GetAsync(file);
        using var forwarded = await cluster.A.Http.GetAsync(file);

        foreach (var response in new[] { own, forwarded })
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(SHA256.HashData(bytes), SHA256.HashData(await response.Content.ReadAsByteArrayAsync()));
            Assert.Equal(Path.GetFileName(core), response.Content.Headers.ContentDisposition?.FileNameStar ?? response.Content.Headers.ContentDisposition?.FileName);
        }

        Assert.Equal(own.Content.Headers.ContentLength, forwarded.Content.Headers.ContentLength);
        Assert.Equal(own.Headers.ETag, forwarded.Headers.ETag);
    }

    [Fact]
    public async Task When_the_owning_gateway_cannot_be_reached_downloads_and_terminals_go_through_orleans_messaging()
    {
        // node-d publishes a forwarding port nothing listens on: every connection to it is refused.
        await using var d = await cluster.StartSiloAsync("node-d", $"--Cluster:AdvertisedForwardingPort={FreePort.Next()}");
        await WaitUpAsync(cluster.A, "node-d");
        var core = await cluster.CrashIntoAsync(d, "unreachable-on-d");
        var bytes = await File.ReadAllBytesAsync(core);
        var session = await ClusterFixture.OpenSessionAsync(cluster.A, "node-d", "unreachable-on-d");
        var file = "app/" + Path.GetFileName(core);

        using var whole = await cluster.A.Http.GetAsync(session + "files/" + file);
        Assert.Equal(HttpStatusCode.OK, whole.StatusCode);
        Assert.Equal(SHA256.HashData(bytes), SHA256.HashData(await whole.Content.ReadAsByteArrayAsync()));
        using var tail = await cluster.A.SendAsync(HttpMethod.Get, session + "files/" + file, r => r.Headers.Range = new RangeHeaderValue(10, 19));
        Assert.Equal(HttpStatusCode.PartialContent, tail.StatusCode);
        Assert.Equal(bytes.AsSpan(10, 10).ToArray(), await tail.Content.ReadAsByteArrayAsync());

        var (_, _, ws) = await SiloFixture.OpenTerminalAsync(cluster.A.Http, session, file);
        await using var viewer = await TerminalClient.ConnectAsync(ws);
        await viewer.WaitForAsync("(gdb) ");
        await viewer.TypeAsync("bt\n");
        await viewer.WaitForAsync(CrashingProgram.CrashingFunction);

        Assert.Contains("ForwardingUnreachable", cluster.A.Log(), StringComparison.Ordinal);
        await cluster.A.Http.DeleteAsync(session);
    }

    [Fact]
    public async Task The_forwarding_endpoint_admits_only_a_client_with_the_clusters_certificate_and_only_forwarded_paths()
    {
        var core = await cluster.CrashIntoAsync(cluster.C, "guarded-on-c");
        var session = await ClusterFixture.OpenSessionAsync(cluster.A, "node-c", "guarded-on-c");
        var request = $"GET {session}files/app/{Path.GetFileName(core)} HTTP/1.1\r\nHost: node-c\r\nConnection: close\r\n\r\n";

        // Plain HTTP on it gets no HTTP answer.
        using (var plain = new TcpClient())
        {
            await plain.ConnectAsync(IPAddress.Loopback, cluster.C.ForwardingPort);
            var stream = plain.GetStream();
            await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
            Assert.DoesNotContain("HTTP/1.1", await ReadAllAsync(stream), StringComparison.Ordinal);
        }

        // TLS without a client certificate: refused at the handshake or on the first read.
        var refused = await Record.ExceptionAsync(async () => await TlsRequestAsync(cluster.C.ForwardingPort, request, certificate: null));
        Assert.True(refused is IOException or System.Security.Authentication.AuthenticationException, $"answered without a client certificate: {refused}");

        // With the cluster's certificate: the session's file, and nothing but forwarded paths.
        using var certificate = cluster.Authority.Issue("a-gateway");
        var admitted = await TlsRequestAsync(cluster.C.ForwardingPort, request, certificate);
        Assert.StartsWith("HTTP/1.1 200", admitted, StringComparison.Ordinal);
        foreach (var path in new[] { "/api/sessions", "/processor/coreFileProfiler", session + "api", "/" })
        {
            var answer = await TlsRequestAsync(cluster.C.ForwardingPort,
                $"GET {path} HTTP/1.1\r\nHost: node-c\r\nAuthorization: Bearer {ClusterFixture.AdminToken}\r\nConnection: close\r\n\r\n", certificate);
            Assert.StartsWith("HTTP/1.1 404", answer, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Ids_naming_no_member_node_and_crafted_paths_are_refused_without_forwarding()
    {
        var core = await cluster.CrashIntoAsync(cluster.C, "crafted-on-c");
        var session = await ClusterFixture.OpenSessionAsync(cluster.A, "node-c", "crafted-on-c");
        var id = session.Split('/')[2];
        var token = id[(id.LastIndexOf('.') + 1)..];
        var servedByC = await DownloadsServedAsync(cluster.C);

        // A node that is no member, one that names an address, and names no node may have.
        foreach (var (node, status) in new[] { ("node-x", 503), ("127.0.0.1", 503), ("evil.example:443", 404), ("node-c%2F..%2Fnode-x", 404), ("user@node-c", 404) })
        {
            var (answered, response) = await RawHttp.GetAsync(cluster.A.Port, $"/sessions/{node}.{token}/files/app/{Path.GetFileName(core)}");
            Assert.True(answered == status, $"{node}: {response}");
        }

        // Traversal out of the session's files, as typed and encoded.
        foreach (var path in new[] { "app/../../../../etc/passwd", "..%2F..%2F..%2Fetc%2Fpasswd", "app/%2E%2E/%2E%2E/x", "/etc/passwd" })
        {
            var (answered, response) = await RawHttp.GetAsync(cluster.A.Port, $"{session}files/{path}");
            Assert.True(answered is 400 or 404, $"{path}: {response}");
        }

        Assert.Equal(servedByC, await DownloadsServedAsync(cluster.C)); // nothing reached node-c's files
        using var honest = await cluster.A.Http.GetAsync($"{session}files/app/{Path.GetFileName(core)}");
        Assert.Equal(HttpStatusCode.OK, honest.StatusCode);
    }

    [Fact]
    public async Task A_page_of_one_nodes_gateway_reaches_a_terminal_on_another_node_and_a_foreign_page_reaches_none()
    {
        var core = await cluster.CrashIntoAsync(cluster.C, "paged-on-c");
        var session = await ClusterFixture.OpenSessionAsync(cluster.A, "node-c", "paged-on-c");
        var (id, _, ws) = await SiloFixture.OpenTerminalAsync(cluster.A.Http, session, "app/" + Path.GetFileName(core));
        var page = $"http://node-a:{cluster.A.Port}"; // the origin of the URLs node-a hands out

        await using (var viewer = await TerminalClient.ConnectAsync(ws, origin: page))
        {
            await viewer.WaitForAsync("(gdb) ");
        }

        var refused = await Assert.ThrowsAsync<System.Net.WebSockets.WebSocketException>(() => TerminalClient.ConnectAsync(ws, origin: "http://evil.example"));
        Assert.Contains("403", refused.Message, StringComparison.Ordinal);

        // node-c judges the Origin itself: a gateway of the cluster forwarding a foreign page's request gets it refused.
        using var certificate = cluster.Authority.Issue("a-gateway");
        string Upgrade(string origin) =>
            $"GET {session}terminals/{id}/ws HTTP/1.1\r\nHost: node-c\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
            $"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nOrigin: {origin}\r\n\r\n";
        Assert.StartsWith("HTTP/1.1 403", await TlsRequestAsync(cluster.C.ForwardingPort, Upgrade("http://evil.example"), certificate), StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 101", await TlsRequestAsync(cluster.C.ForwardingPort, Upgrade(page), certificate), StringComparison.Ordinal);
    }

    /// <summary>Downloads <paramref name="silo"/> served from its own disk so far (its metrics).</summary>
    private static Task<double> DownloadsServedAsync(SiloProcess silo) =>
        MetricAsync(silo, l => l.StartsWith("cfp_downloads_total{", StringComparison.Ordinal) && l.Contains("source=\"local\"", StringComparison.Ordinal));

    /// <summary>Bytes of files <paramref name="silo"/> has sent so far (its metrics).</summary>
    private static Task<double> BytesSentAsync(SiloProcess silo) =>
        MetricAsync(silo, l => l.StartsWith("cfp_download_size_bytes_total", StringComparison.Ordinal));

    private static async Task<double> MetricAsync(SiloProcess silo, Func<string, bool> isIts)
    {
        await Task.Delay(600); // the exporter answers a scrape within 500 ms of the last one from its cache
        var text = await silo.Http.GetStringAsync("/metrics");
        var line = text.Split('\n').FirstOrDefault(isIts);
        return line is null ? 0 : double.Parse(line.Split(' ')[^1], CultureInfo.InvariantCulture);
    }

    private static async Task WaitUpAsync(SiloProcess gateway, string node)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!(await ClusterFixture.AdminGetAsync(gateway, "/api/nodes")).EnumerateArray()
            .Any(n => n.GetProperty("node").GetString() == node && n.GetProperty("status").GetString() == "up"))
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"{node} did not come up");
            await Task.Delay(100);
        }
    }

    /// <summary>One request over TLS to the forwarding endpoint, presenting <paramref name="certificate"/>; the whole answer.</summary>
    private async Task<string> TlsRequestAsync(int port, string request, X509Certificate2? certificate)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        await using var tls = new SslStream(tcp.GetStream(), false, IssuedByTheCluster);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "node-c",
            ClientCertificates = certificate is null ? null : [certificate],
            ApplicationProtocols = [SslApplicationProtocol.Http11],
        });
        await tls.WriteAsync(Encoding.ASCII.GetBytes(request));
        var answer = await ReadAllAsync(tls);
        return answer.Length > 0 ? answer : throw new IOException("closed without an answer");
    }

    /// <summary>The test's client checks the gateway as a gateway would: its certificate must chain to the cluster's authority.</summary>
    private bool IssuedByTheCluster(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is null) return false;
        using var verifier = new X509Chain();
        verifier.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        verifier.ChainPolicy.CustomTrustStore.Add(cluster.Authority.Certificate);
        verifier.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return verifier.Build(new X509Certificate2(certificate));
    }

    private static async Task<string> ReadAllAsync(Stream stream)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        using var buffer = new MemoryStream();
        try
        {
            await stream.CopyToAsync(buffer, timeout.Token);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            // reset, or an upgraded connection that stays open: what came before is the answer
        }

        return Encoding.Latin1.GetString(buffer.ToArray());
    }
}
