using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using CoreFileProfiler.IntegrationTests.Support;

namespace CoreFileProfiler.IntegrationTests;

/// <summary>
/// Without cluster TLS a gateway forwards a download to the owning node's gateway over plain HTTP/1.1 and
/// splices the body from socket to socket: the client gets the same bytes, ranges and validators as from the
/// owning gateway, a client that leaves costs nothing afterwards, and a hostile peer's answer is refused or cut,
/// never passed off as a whole file.
/// </summary>
[Collection(PlainClusterTests.Name)]
public sealed class SplicedForwardingTests(PlainClusterFixture cluster)
{
    [Fact]
    public async Task A_download_through_another_nodes_gateway_is_the_owning_nodes_file_with_ranges_validators_head_and_416()
    {
        var core = await cluster.CrashIntoAsync(cluster.B, "spliced-on-b");
        // A file larger than the pipe and the sockets' buffers, random so that a piece out of order shows.
        var large = Path.Join(Path.GetDirectoryName(core), "2_20261201-000000");
        var bytes = RandomNumberGenerator.GetBytes(40 << 20);
        await File.WriteAllBytesAsync(large, bytes);
        File.SetUnixFileMode(large, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var session = await ClusterFixture.OpenSessionAsync(cluster.A, "node-b", "spliced-on-b");
        var file = session + "files/app/" + Path.GetFileName(large);

        using var whole = await cluster.A.Http.GetAsync(file);
        Assert.Equal(HttpStatusCode.OK, whole.StatusCode);
        Assert.True(whole.Headers.ConnectionClose, "not spliced: the connection was kept"); // a spliced body ends its connection
        Assert.Equal(SHA256.HashData(bytes), SHA256.HashData(await whole.Content.ReadAsByteArrayAsync()));
        Assert.Equal("no-store", Assert.Single(whole.Headers.GetValues("Cache-Control")));

        // A client slower than both gateways: the body waits in the pipe and arrives whole and in order.
        using (var slow = await cluster.A.Http.GetAsync(file, HttpCompletionOption.ResponseHeadersRead))
        {
            await using var body = await slow.Content.ReadAsStreamAsync();
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var buffer = new byte[64 << 10];
            long read = 0;
            for (int n; (n = await body.ReadAsync(buffer)) > 0; read += n)
            {
                hash.AppendData(buffer, 0, n);
                if (read < 8 << 20) await Task.Delay(5);
            }

            Assert.Equal(bytes.Length, read);
            Assert.Equal(SHA256.HashData(bytes), hash.GetHashAndReset());
        }

        var from = bytes.Length / 3;
        using var tail = await cluster.A.SendAsync(HttpMethod.Get, file, r => r.Headers.Range = new RangeHeaderValue(from, from + 99));
        Assert.Equal(HttpStatusCode.PartialContent, tail.StatusCode);
        Assert.Equal(bytes.AsSpan(from, 100).ToArray(), await tail.Content.ReadAsByteArrayAsync());

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
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());

        using var beyond = await cluster.A.SendAsync(HttpMethod.Get, file, r => r.Headers.Range = new RangeHeaderValue(bytes.Length, null));
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, beyond.StatusCode);

        // Every kind of request reads alike from either gateway, the small core's and the large file's.
        foreach (var path in new[] { file, session + "files/app/" + Path.GetFileName(core) })
        {
            var statuses = await DownloadMatrix.AssertForwardedAlikeAsync(cluster.B, cluster.A, path, new FileInfo(Path.Join(Path.GetDirectoryName(core), path.Split('/')[^1])).Length);
            Assert.Equal(new HashSet<int> { 200, 206, 304, 412, 416 }, statuses);
        }
    }

    [Fact]
    public async Task A_zstd_core_through_another_nodes_gateway_is_its_decompressed_bytes()
    {
        var core = await cluster.CrashIntoAsync(cluster.B, "zstd-spliced-on-b");
        var bytes = await File.ReadAllBytesAsync(core);
        var (exit, output) = await Command.RunAsync("zstd", ["-q", "--rm", core], Path.GetDirectoryName(core)!);
        Assert.True(exit == 0, output);
        var session = await ClusterFixture.OpenSessionAsync(cluster.A, "node-b", "zstd-spliced-on-b");
        var file = session + "files/app/" + Path.GetFileName(core) + ".zst";

        using var own = await cluster.B.Http.GetAsync(file);
        using var forwarded = await cluster.A.Http.GetAsync(file);
        Assert.Equal(HttpStatusCode.OK, forwarded.StatusCode);
        Assert.True(forwarded.Headers.ConnectionClose, "not spliced");
        Assert.Equal(SHA256.HashData(bytes), SHA256.HashData(await forwarded.Content.ReadAsByteArrayAsync()));
        Assert.Equal(own.Content.Headers.ContentLength, forwarded.Content.Headers.ContentLength);
        Assert.Equal(own.Headers.ETag, forwarded.Headers.ETag);
        Assert.Equal(Path.GetFileName(core), forwarded.Content.Headers.ContentDisposition?.FileNameStar ?? forwarded.Content.Headers.ContentDisposition?.FileName);
    }

    [Fact]
    public async Task Clients_that_leave_mid_download_leave_no_pipe_or_connection_behind()
    {
        var core = await cluster.CrashIntoAsync(cluster.B, "left-spliced-on-b");
        var large = Path.Join(Path.GetDirectoryName(core), "1_20261201-000000");
        await using (var sparse = new FileStream(large, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.None))
        {
            sparse.SetLength(512L << 20);
        }

        File.SetUnixFileMode(large, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var session = await ClusterFixture.OpenSessionAsync(cluster.A, "node-b", "left-spliced-on-b");
        var file = session + "files/app/" + Path.GetFileName(large);

        await LeaveAfterAsync(file, 1 << 20); // the first one settles whatever the process sets up once
        await Task.Delay(1000);
        var pipesBefore = Descriptors(cluster.A.Pid, "pipe:");
        for (var i = 0; i < 20; i++) await LeaveAfterAsync(file, (i + 1) << 20);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (Descriptors(cluster.A.Pid, "pipe:") > pipesBefore || ProcessSockets.UnreadBytesFrom(cluster.A.Pid, cluster.B.ForwardingPort).Any(unread => unread > 0))
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15),
                $"node-a holds {Descriptors(cluster.A.Pid, "pipe:")} pipe descriptors (before: {pipesBefore}) and connections from node-b's gateway with unread bytes");
            await Task.Delay(100);
        }

        // The honest path still works: the end of the same file, resumed through node-a.
        using var resumed = await cluster.A.SendAsync(HttpMethod.Get, file, r => r.Headers.Range = new RangeHeaderValue((512L << 20) - 100, null));
        Assert.Equal(HttpStatusCode.PartialContent, resumed.StatusCode);
        Assert.Equal(new byte[100], await resumed.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task A_hostile_owning_gateways_heads_are_refused_and_a_short_body_never_reads_as_whole()
    {
        await using var hostile = new HostileGateway();
        // node-h publishes the hostile peer as its gateway; its session's files are still reachable through Orleans.
        await using var h = await cluster.StartSiloAsync("node-h", $"--Cluster:AdvertisedForwardingPort={hostile.Port}");
        await ClusterFixture.WaitForNodesAsync(cluster.A, up: ["node-a", "node-b", "node-h"], nodes: ["node-a", "node-b", "node-h"]);
        var core = await CrashingProgram.CrashIntoStoreAsync(cluster.Crasher, cluster.WorkDirectory, h.CoreRoot, SiloFixture.Namespace, "hostile-on-h", "app");
        var bytes = await File.ReadAllBytesAsync(core);
        var session = await ClusterFixture.OpenSessionAsync(cluster.A, "node-h", "hostile-on-h");
        var file = session + "files/app/" + Path.GetFileName(core);

        var heads = new[]
        {
            $"HTTP/1.1 200 OK\r\nContent-Length: {bytes.Length}\r\nContent-Length: {bytes.Length}\r\n\r\n",
            $"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: {bytes.Length}\r\n\r\n",
            $"HTTP/1.1 200 OK\r\nContent-Length: {bytes.Length}\r\nTransfer-Encoding: chunked\r\n\r\n",
            $"HTTP/1.1 200 OK\r\nContent-Length: {bytes.Length}, {bytes.Length}\r\n\r\n",
            "HTTP/1.1 200 OK\r\n" + string.Concat(Enumerable.Repeat("X-Padding: " + new string('a', 1000) + "\r\n", 20)) + $"Content-Length: {bytes.Length}\r\n\r\n",
            $"HTTP/1.1 2000 OK\r\nContent-Length: {bytes.Length}\r\n\r\n",
            $"HTTP/1.1 200 OK\nContent-Length: {bytes.Length}\r\n\r\n",
        };
        foreach (var hostileHead in heads)
        {
            hostile.Answer = [.. Encoding.ASCII.GetBytes(hostileHead), .. bytes.AsSpan(0, 100)];
            var refusedBefore = Count(cluster.A.Log(), "ForwardedHeadRefused");
            var answered = hostile.Answered;
            using var response = await cluster.A.Http.GetAsync(file);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            // node-a refused the head and served the file through the session grain: whole, and only the file.
            Assert.Equal(SHA256.HashData(bytes), SHA256.HashData(await response.Content.ReadAsByteArrayAsync()));
            Assert.Equal(answered + 1, hostile.Answered);
            Assert.True(Count(cluster.A.Log(), "ForwardedHeadRefused") > refusedBefore, $"no refusal logged for {hostileHead[..Math.Min(80, hostileHead.Length)]}");
        }

        // A head that is fine and a body that ends early: the client's connection is cut, never ended as if whole.
        hostile.Answer = [.. Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Length: {bytes.Length}\r\n\r\n"), .. bytes.AsSpan(0, bytes.Length / 2)];
        using (var cut = await cluster.A.Http.GetAsync(file, HttpCompletionOption.ResponseHeadersRead))
        {
            Assert.Equal(HttpStatusCode.OK, cut.StatusCode);
            Assert.Equal(bytes.Length, cut.Content.Headers.ContentLength);
            var cutShort = await Record.ExceptionAsync(() => cut.Content.ReadAsByteArrayAsync());
            Assert.True(cutShort is HttpRequestException or IOException, $"a body cut short read as whole: {cutShort}");
        }

        Assert.Contains("ForwardedBodyCut", cluster.A.Log(), StringComparison.Ordinal);
        await cluster.A.Http.DeleteAsync(session);
    }

    private async Task LeaveAfterAsync(string file, int bytes)
    {
        using var response = await cluster.A.Http.GetAsync(file, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await using var body = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[1 << 20];
        for (var read = 0L; read < bytes;) read += await body.ReadAsync(buffer);
    }

    private static int Descriptors(int pid, string kind) =>
        Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd").Count(fd => (new FileInfo(fd).LinkTarget ?? "").StartsWith(kind, StringComparison.Ordinal));

    private static int Count(string text, string what) => text.Split(what).Length - 1;
}
