using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using CoreFileProfiler.IntegrationTests.Support;

namespace CoreFileProfiler.IntegrationTests;

/// <summary>
/// How the real silo starts: with Redis and no advertised address it takes the host's, it listens
/// on nothing but its HTTP and silo ports, and a setting that cannot work is refused in one line
/// that names the setting and the file, not a stack trace.
/// </summary>
public sealed class SiloStartupTests : IAsyncLifetime
{
    private readonly TempDirectory _temp = new();
    private readonly TestCertificateAuthority _authority = new("startup-test-ca");
    private RedisServer _redis = null!;

    public async Task InitializeAsync() => _redis = await RedisServer.StartAsync();

    public async Task DisposeAsync()
    {
        await _redis.DisposeAsync();
        _authority.Dispose();
        _temp.Dispose();
    }

    [Fact]
    public async Task With_redis_and_no_advertised_address_the_silo_starts_on_the_hosts_address_and_listens_on_its_http_silo_and_forwarding_ports_only()
    {
        var hostAddresses = NetworkInterface.GetAllNetworkInterfaces()
            .Where(i => i.OperationalStatus == OperationalStatus.Up)
            .SelectMany(i => i.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .Where(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a))
            .Select(a => a.ToString())
            .ToList();
        Assert.True(hostAddresses.Count > 0, "This test needs a non-loopback IPv4 address on this machine.");

        await using var silo = await SiloProcess.StartAsync(_temp.Path, "node-h", "127.0.0.1",
            ["--Cluster:Provider=Redis", $"--Cluster:Redis={_redis.ConnectionString}", "--Auth:AdminToken=startup-test-token", .. _authority.WriteSiloFiles(Path.Join(_temp.Path, "tls"), "node-h")]);

        var row = Assert.Single((await _redis.HashAsync("core-file-profiler/members/core-file-profiler")).Values, v => v.Contains("node/node-h", StringComparison.Ordinal));
        Assert.Contains(hostAddresses, address => row.Contains($"\"{address}:{silo.SiloPort}@", StringComparison.Ordinal));
        Assert.Equal(new HashSet<int> { silo.Port, silo.SiloPort, silo.ForwardingPort }, silo.ListeningPorts()); // no Orleans client gateway
    }

    [Fact]
    public async Task The_single_node_default_listens_on_its_http_and_silo_ports_only()
    {
        await using var silo = await SiloProcess.StartAsync(_temp.Path);

        Assert.Equal(new HashSet<int> { silo.Port, silo.SiloPort }, silo.ListeningPorts());
    }

    [Fact]
    public async Task A_missing_certificate_file_is_refused_naming_the_setting_and_the_file()
    {
        var files = TlsFiles("missing");
        File.Delete(files.Certificate);

        await AssertRefusedAsync(["--Cluster:Provider=Localhost", .. files.Arguments], "Cluster:Tls:Certificate", files.Certificate);
    }

    [Fact]
    public async Task A_key_of_another_certificate_is_refused_naming_the_key()
    {
        var files = TlsFiles("mismatch");
        var other = TlsFiles("other");
        File.Copy(other.Key, files.Key, overwrite: true);

        await AssertRefusedAsync(files.Arguments, "Cluster:Tls:Key", files.Key);
    }

    [Fact]
    public async Task A_certificate_authority_that_did_not_sign_the_certificate_is_refused()
    {
        var files = TlsFiles("foreign-ca");
        using var foreign = new TestCertificateAuthority("foreign-ca");
        File.WriteAllText(files.Authority, foreign.Certificate.ExportCertificatePem());

        await AssertRefusedAsync(files.Arguments, "Cluster:Tls:CertificateAuthority", files.Authority);
    }

    [Theory]
    [InlineData("{0},password=not-the-password", "refused the credentials")]
    [InlineData("{0},password=not-the,password", "refused the credentials")] // a comma makes "password" look like a host
    [InlineData("redis://:not-the-password@{0}", "is a URL")]
    public async Task A_redis_that_refuses_the_password_is_refused_without_printing_any_of_it(string connectionString, string why)
    {
        var given = string.Format(System.Globalization.CultureInfo.InvariantCulture, connectionString, $"127.0.0.1:{_redis.Port}");
        var line = await AssertRefusedAsync(["--Cluster:Provider=Redis", $"--Cluster:Redis={given}"], "Cluster:Redis", why);

        Assert.DoesNotContain("not-the", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_redis_cluster_without_the_admin_token_is_refused_since_its_sessions_could_not_be_sealed()
    {
        await AssertRefusedAsync(["--Cluster:Provider=Redis", $"--Cluster:Redis={_redis.ConnectionString}", "--Cluster:AdvertisedAddress=127.0.0.1"], "Auth:AdminToken", "sealed");
    }

    [Fact]
    public async Task A_key_given_as_pem_text_instead_of_a_path_is_refused_without_being_echoed()
    {
        var files = TlsFiles("pem-in-setting");
        var pem = await File.ReadAllTextAsync(files.Key);

        var line = await AssertRefusedAsync(
            [$"--Cluster:Tls:Certificate={files.Certificate}", $"--Cluster:Tls:Key={pem}", $"--Cluster:Tls:CertificateAuthority={files.Authority}"], "Cluster:Tls:Key", "not its contents");

        Assert.DoesNotContain("PRIVATE KEY", line, StringComparison.Ordinal);
        Assert.DoesNotContain(pem.Split('\n')[1], line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("node-a.example")]
    [InlineData("1")] // 0.0.0.1 to IPAddress.TryParse
    [InlineData("192.0.2.250")] // an address, but not this machine's
    public async Task An_advertised_address_the_silo_cannot_listen_on_is_refused(string address)
    {
        await AssertRefusedAsync(
            ["--Cluster:Provider=Redis", $"--Cluster:Redis={_redis.ConnectionString}", $"--Cluster:AdvertisedAddress={address}"], "Cluster:AdvertisedAddress", $"'{address}'");
    }

    private TestCertificateAuthority.TlsFiles TlsFiles(string name)
    {
        var directory = Path.Join(_temp.Path, name);
        _authority.WriteSiloFiles(directory, name);
        return new TestCertificateAuthority.TlsFiles(directory);
    }

    private async Task<string> AssertRefusedAsync(string[] arguments, string setting, string named)
    {
        var (exitCode, output) = await SiloProcess.RunToRefusalAsync([$"--Profiler:CoreRoot={_temp.Path}", .. arguments]);

        Assert.Equal(1, exitCode);
        var line = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.StartsWith($"core-file-profiler: refusing to start: {setting}: ", line, StringComparison.Ordinal);
        Assert.Contains(named, line, StringComparison.Ordinal);
        return line;
    }
}
