using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using CoreFileProfiler.IntegrationTests.Support;

namespace CoreFileProfiler.IntegrationTests;

/// <summary>
/// Between silos only mutual TLS with the cluster's own authority is spoken (the three silos of
/// the fixture cluster through it, which the other cluster tests exercise): a silo with another
/// authority's certificate, a client without a certificate and a plaintext client all get nowhere.
/// </summary>
[Collection(ClusterTests.Name)]
public sealed class ClusterTransportSecurityTests(ClusterFixture cluster)
{
    [Fact]
    public async Task A_silo_whose_certificate_another_authority_issued_never_becomes_active_nor_gets_a_session()
    {
        using var rogueAuthority = new TestCertificateAuthority("rogue-ca");
        await using var rogue = cluster.LaunchSilo("node-x", rogueAuthority);

        // Long enough for a silo of this cluster to join (the fixture's joined in about 10 s).
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            Assert.False(await rogue.IsReadyAsync(), "the rogue silo became ready");
            var nodes = await ClusterFixture.AdminGetAsync(cluster.A, "/api/nodes");
            Assert.DoesNotContain(nodes.EnumerateArray(), n => n.GetProperty("node").GetString() == "node-x" && n.GetProperty("status").GetString() == "up");
            await Task.Delay(500);
        }

        using var refused = await SiloFixture.PostProcessorAsync(ClusterFixture.CoredumpRequest("any-pod", "node-x"), cluster.A.Http);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        var sessions = await ClusterFixture.AdminGetAsync(cluster.A, "/api/sessions");
        Assert.DoesNotContain(sessions.EnumerateArray(), s => s.GetProperty("node").GetString() == "node-x");

        // Orleans' own record: the rogue never got past joining.
        var members = await cluster.Redis.HashAsync("core-file-profiler/members/core-file-profiler");
        var rogueRows = members.Values.Where(row => row.Contains("node/node-x", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(rogueRows);
        Assert.All(rogueRows, row => Assert.DoesNotContain("\"Status\":3", row.Replace(" ", "", StringComparison.Ordinal), StringComparison.Ordinal)); // 3 = Active

        Assert.Contains(cluster.Silos, silo => silo.Log().Contains("Refused a silo connection", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_client_without_a_certificate_is_cut_off_at_the_handshake()
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, cluster.B.SiloPort);
        await using var tls = new SslStream(tcp.GetStream(), false, IssuedByTheCluster);
        var shutOut = await Record.ExceptionAsync(async () =>
        {
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "node-b" });
            // TLS 1.3 finishes the client's side first; the silo's refusal arrives with the next read.
            await tls.WriteAsync("hello"u8.ToArray());
            Assert.Equal(0, await ReadWithinAsync(tls));
        });
        Assert.True(shutOut is null or IOException or System.Security.Authentication.AuthenticationException, $"unexpected: {shutOut}");
        Assert.False(tls.IsAuthenticated && tcp.Connected && await IsOpenAsync(tls), "the connection stayed open without a client certificate");
    }

    [Fact]
    public async Task A_plaintext_client_gets_nothing_and_is_disconnected()
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, cluster.B.SiloPort);
        var stream = tcp.GetStream();
        // What an Orleans client writes first: a connection preamble, here claiming to be a silo.
        byte[] preamble = [0x10, 0, 0, 0, .. "node/node-x:11111"u8];
        await stream.WriteAsync(preamble);

        Assert.Equal(0, await ReadWithinAsync(stream));
    }

    [Fact]
    public async Task A_client_with_the_clusters_certificate_completes_the_handshake()
    {
        using var certificate = cluster.Authority.Issue("a-peer");
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, cluster.B.SiloPort);
        await using var tls = new SslStream(tcp.GetStream(), false, IssuedByTheCluster);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "node-b",
            ClientCertificates = [certificate],
        });

        Assert.True(tls.IsMutuallyAuthenticated);
        Assert.True(await IsOpenAsync(tls), "the silo hung up on a peer with the cluster's certificate");
        var remote = new X509Certificate2(tls.RemoteCertificate!);
        Assert.Equal(cluster.Authority.Certificate.Subject, remote.Issuer);
    }

    /// <summary>The test's client checks the silo as a silo would: its certificate must chain to the cluster's authority.</summary>
    private bool IssuedByTheCluster(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is null) return false;
        using var verifier = new X509Chain();
        verifier.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        verifier.ChainPolicy.CustomTrustStore.Add(cluster.Authority.Certificate);
        verifier.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return verifier.Build(new X509Certificate2(certificate));
    }

    /// <summary>Bytes read before the peer closes, or -1 if it neither sends nor closes within 5 s; 0 means closed.</summary>
    private static async Task<int> ReadWithinAsync(Stream stream)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        var buffer = new byte[4096];
        try
        {
            return await stream.ReadAsync(buffer, timeout.Token);
        }
        catch (OperationCanceledException)
        {
            return -1;
        }
        catch (IOException)
        {
            return 0; // reset: closed as well
        }
    }

    /// <summary>Whether the peer keeps the connection open for a second without sending (the silo waits for our preamble).</summary>
    private static async Task<bool> IsOpenAsync(Stream stream)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        try
        {
            return await stream.ReadAsync(new byte[1], timeout.Token) > 0;
        }
        catch (OperationCanceledException)
        {
            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }
}
