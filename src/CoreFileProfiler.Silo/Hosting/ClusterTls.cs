using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Orleans.Configuration;
using Orleans.Connections.Security;

namespace CoreFileProfiler.Silo.Hosting;

/// <summary>
/// Mutual TLS between silos: this silo's certificate and the cluster's certificate authority,
/// loaded and checked once at start-up. A peer, incoming or outgoing, is admitted only if its
/// certificate chains to that authority; host names are not checked, because silos are reached
/// by pod address and all share the release's certificate.
/// </summary>
public sealed class ClusterTls
{
    private const string Section = $"{ProfilerClusterOptions.Section}:{nameof(ProfilerClusterOptions.Tls)}";
    private const string ServerAuthentication = "1.3.6.1.5.5.7.3.1";
    private const string ClientAuthentication = "1.3.6.1.5.5.7.3.2";

    private readonly X509Certificate2Collection _authority;

    private ClusterTls(X509Certificate2 certificate, X509Certificate2Collection authority)
    {
        Certificate = certificate;
        _authority = authority;
    }

    public X509Certificate2 Certificate { get; }

    /// <summary>Loads and checks the three files; every problem is a <see cref="StartupRefusedException"/> naming the setting and file.</summary>
    public static ClusterTls Load(ClusterTlsOptions options)
    {
        var certificatePath = Required(options.Certificate, nameof(options.Certificate));
        var keyPath = Required(options.Key, nameof(options.Key));
        var authorityPath = Required(options.CertificateAuthority, nameof(options.CertificateAuthority));

        var certificatePem = ReadPem(certificatePath, nameof(options.Certificate));
        var keyPem = ReadPem(keyPath, nameof(options.Key));
        var authority = new X509Certificate2Collection();
        try
        {
            authority.ImportFromPem(ReadPem(authorityPath, nameof(options.CertificateAuthority)));
        }
        catch (CryptographicException e)
        {
            throw Refused(nameof(options.CertificateAuthority), $"'{authorityPath}' is not a PEM certificate ({e.Message})");
        }

        if (authority.Count == 0) throw Refused(nameof(options.CertificateAuthority), $"'{authorityPath}' holds no PEM certificate");

        var certificate = Paired(certificatePem, keyPem)
            ?? throw Refused(nameof(options.Key), $"'{keyPath}' is not the private key of the certificate in '{certificatePath}' (or either is not PEM)");

        var usages = certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().SelectMany(e => e.EnhancedKeyUsages.Cast<Oid>()).Select(o => o.Value).ToList();
        if (usages.Count > 0 && !(usages.Contains(ServerAuthentication) && usages.Contains(ClientAuthentication)))
        {
            throw Refused(nameof(options.Certificate), $"'{certificatePath}' must allow both server and client authentication (extended key usage), since every silo is both");
        }

        var tls = new ClusterTls(certificate, authority);
        if (tls.ChainProblem(certificate) is { } problem)
        {
            throw Refused(nameof(options.CertificateAuthority), $"the certificate in '{certificatePath}' does not chain to '{authorityPath}' ({problem})");
        }

        return tls;
    }

    /// <summary>
    /// Every silo connection, in and out (and the Orleans client gateway, should one be opened),
    /// speaks TLS only: both sides present a certificate and both check the other's.
    /// </summary>
    public void Secure(SiloConnectionOptions connections)
    {
        connections.ConfigureSiloInboundConnection(c => c.UseServerTls(OptionsFor(c.ApplicationServices)));
        connections.ConfigureGatewayInboundConnection(c => c.UseServerTls(OptionsFor(c.ApplicationServices)));
        connections.ConfigureSiloOutboundConnection(c => c.UseClientTls(OptionsFor(c.ApplicationServices)));
    }

    private TlsOptions OptionsFor(IServiceProvider services)
    {
        var logger = services.GetRequiredService<ILogger<ClusterTls>>();
        return new TlsOptions
        {
            LocalCertificate = Certificate,
            RemoteCertificateMode = RemoteCertificateMode.RequireCertificate,
            ClientCertificateMode = RemoteCertificateMode.RequireCertificate,
            RemoteCertificateValidation = (certificate, _, _) =>
            {
                if (ChainProblem(certificate) is not { } problem) return true;
                logger.LogWarning("Refused a silo connection: certificate {Subject} does not chain to the cluster's authority ({Problem})", certificate.Subject, problem);
                return false;
            },
        };
    }

    /// <summary>Why <paramref name="certificate"/> is not issued by the cluster's authority, or null when it is.</summary>
    private string? ChainProblem(X509Certificate2 certificate)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck; // a private CA publishes no revocation lists
        return chain.Build(certificate)
            ? null
            : string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0).Distinct());
    }

    /// <summary>The certificate with its private key, or null when the key is not the certificate's.</summary>
    private static X509Certificate2? Paired(string certificatePem, string keyPem)
    {
        X509Certificate2 certificate;
        try
        {
            certificate = X509Certificate2.CreateFromPem(certificatePem, keyPem);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException) // ArgumentException: a PKCS#8 key of another certificate
        {
            return null;
        }

        // CreateFromPem pairs an EC key in SEC1 form with any EC certificate: the public halves must agree.
        using AsymmetricAlgorithm? key = (AsymmetricAlgorithm?)certificate.GetRSAPrivateKey() ?? certificate.GetECDsaPrivateKey();
        return key is not null && key.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(certificate.PublicKey.ExportSubjectPublicKeyInfo())
            ? certificate
            : null;
    }

    private static string Required(string? path, string key) =>
        string.IsNullOrWhiteSpace(path) ? throw Refused(key, "Certificate, Key and CertificateAuthority are set together; this one is missing") : path;

    private static string ReadPem(string path, string key)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Refused(key, $"cannot read '{path}': {e.Message}");
        }
    }

    private static StartupRefusedException Refused(string key, string problem) => new($"{Section}:{key}", problem);
}
