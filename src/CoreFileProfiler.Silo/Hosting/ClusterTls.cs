using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Orleans.Configuration;
using Orleans.Connections.Security;

namespace CoreFileProfiler.Silo.Hosting;

/// <summary>
/// Mutual TLS between silos: this silo's certificate and the cluster's certificate authority,
/// loaded and checked once at start-up. A peer, incoming or outgoing, is admitted only if its
/// certificate is a silo's as this one's is (both authentications, not itself a CA) and chains to
/// that authority; host names are not checked, because silos are reached by pod address and all
/// share the release's certificate. Chains are built offline: a peer's certificate can never make
/// the silo fetch anything.
/// </summary>
public sealed class ClusterTls
{
    private const string Section = $"{ProfilerClusterOptions.Section}:{nameof(ProfilerClusterOptions.Tls)}";
    private const string ServerAuthentication = "1.3.6.1.5.5.7.3.1";
    private const string ClientAuthentication = "1.3.6.1.5.5.7.3.2";
    private static readonly TimeSpan RefusalLogInterval = TimeSpan.FromMinutes(1);

    private readonly X509Certificate2Collection _authority;
    private readonly Lock _refusals = new();
    private DateTimeOffset _lastRefusalLogged = DateTimeOffset.MinValue;
    private int _refusedSinceLogged;

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
        catch (CryptographicException)
        {
            throw Refused(nameof(options.CertificateAuthority), $"'{authorityPath}' is not a PEM certificate");
        }

        if (authority.Count == 0) throw Refused(nameof(options.CertificateAuthority), $"'{authorityPath}' holds no PEM certificate");
        if (!HoldsCertificate(certificatePem)) throw Refused(nameof(options.Certificate), $"'{certificatePath}' holds no PEM certificate");

        var certificate = Paired(certificatePem, keyPem)
            ?? throw Refused(nameof(options.Key), $"'{keyPath}' is not the PEM private key of the certificate in '{certificatePath}'");
        if (!IsSiloCertificate(certificate))
        {
            throw Refused(nameof(options.Certificate), $"'{certificatePath}' must be a leaf certificate allowing both server and client authentication, since every silo is both");
        }

        var tls = new ClusterTls(certificate, authority);
        if (tls.ChainProblem(certificate, null) is { } problem)
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
            // The platform's own chain (built before the check below) must not download issuers either.
            OnAuthenticateAsServer = (_, options) => ((SslServerAuthenticationOptions)options.SslServerAuthenticationOptions).CertificateChainPolicy = OfflinePolicy(),
            OnAuthenticateAsClient = (_, options) => ((SslClientAuthenticationOptions)options.SslClientAuthenticationOptions).CertificateChainPolicy = OfflinePolicy(),
            RemoteCertificateValidation = (certificate, chain, _) => Admits(certificate, chain, logger),
        };
    }

    /// <summary>
    /// The gateway's forwarding endpoint (docs/architecture.md, Download): TLS with this silo's certificate,
    /// and only a client presenting a silo certificate of the cluster's authority gets a request in.
    /// </summary>
    public void SecureForwarding(HttpsConnectionAdapterOptions https, ILogger logger)
    {
        https.ServerCertificate = Certificate;
        https.ClientCertificateMode = ClientCertificateMode.RequireCertificate;
        https.ClientCertificateValidation = (certificate, chain, _) => Admits(certificate, chain, logger);
        https.OnAuthenticate = (_, options) => options.CertificateChainPolicy = OfflinePolicy();
    }

    /// <summary>What a gateway forwarding to another node's presents and accepts: the same as a silo connection.</summary>
    public SslClientAuthenticationOptions ForwardingClient(ILogger logger) => new()
    {
        ClientCertificates = [Certificate],
        CertificateChainPolicy = OfflinePolicy(),
        RemoteCertificateValidationCallback = (_, certificate, chain, _) => certificate is not null && Admits(new X509Certificate2(certificate), chain, logger),
    };

    private bool Admits(X509Certificate2 certificate, X509Chain? chain, ILogger logger)
    {
        var problem = !IsSiloCertificate(certificate) ? "not a silo certificate: a leaf for both server and client authentication" : ChainProblem(certificate, chain);
        if (problem is null) return true;
        LogRefusal(logger, certificate.Subject, problem);
        return false;
    }

    /// <summary>Why <paramref name="certificate"/> is not issued by the cluster's authority, or null when it is.</summary>
    private string? ChainProblem(X509Certificate2 certificate, X509Chain? presented)
    {
        using var chain = new X509Chain { ChainPolicy = OfflinePolicy() };
        // Intermediates the peer sent along may complete the chain; trust still ends at the authority.
        if (presented is not null)
        {
            foreach (var element in presented.ChainElements) chain.ChainPolicy.ExtraStore.Add(element.Certificate);
        }

        return chain.Build(certificate)
            ? null
            : string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0).Distinct());
    }

    private X509ChainPolicy OfflinePolicy()
    {
        var policy = new X509ChainPolicy
        {
            TrustMode = X509ChainTrustMode.CustomRootTrust,
            RevocationMode = X509RevocationMode.NoCheck, // a private CA publishes no revocation lists
            DisableCertificateDownloads = true,
        };
        policy.CustomTrustStore.AddRange(_authority);
        return policy;
    }

    /// <summary>A refused peer is logged once a minute at most, with how many there were: a stranger cannot flood the log.</summary>
    private void LogRefusal(ILogger logger, string subject, string problem)
    {
        int refused;
        lock (_refusals)
        {
            _refusedSinceLogged++;
            if (DateTimeOffset.UtcNow - _lastRefusalLogged < RefusalLogInterval) return;
            _lastRefusalLogged = DateTimeOffset.UtcNow;
            refused = _refusedSinceLogged;
            _refusedSinceLogged = 0;
        }

        logger.LogWarning("Refused a silo connection: certificate {Subject}: {Problem} ({Refused} refused since the last such line)", subject, problem, refused);
    }

    /// <summary>What every silo's certificate is: not an authority, and (when it names usages) for both ends of a connection.</summary>
    private static bool IsSiloCertificate(X509Certificate2 certificate)
    {
        if (certificate.Extensions.OfType<X509BasicConstraintsExtension>().Any(b => b.CertificateAuthority)) return false;
        var usages = certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().SelectMany(e => e.EnhancedKeyUsages.Cast<Oid>()).Select(o => o.Value).ToList();
        return usages.Count == 0 || (usages.Contains(ServerAuthentication) && usages.Contains(ClientAuthentication));
    }

    private static bool HoldsCertificate(string pem)
    {
        try
        {
            using var certificate = X509Certificate2.CreateFromPem(pem);
            return true;
        }
        catch (CryptographicException)
        {
            return false;
        }
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

    /// <summary>The setting's value, which must be a path: PEM text put there by mistake is refused without being echoed.</summary>
    private static string Required(string? path, string key)
    {
        if (string.IsNullOrWhiteSpace(path)) throw Refused(key, "Certificate, Key and CertificateAuthority are set together; this one is missing");
        if (path.Contains("-----BEGIN", StringComparison.Ordinal) || path.Any(char.IsControl) || path.Length > 4096)
        {
            throw Refused(key, "must be the path of a PEM file, not its contents (mount the Secret as a file)");
        }

        return path;
    }

    private static string ReadPem(string path, string key)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var why = e switch
            {
                FileNotFoundException or DirectoryNotFoundException => "no such file",
                UnauthorizedAccessException when Directory.Exists(path) => "it is a directory",
                UnauthorizedAccessException => "permission denied",
                _ => "read error",
            };
            throw Refused(key, $"cannot read '{path}': {why}");
        }
    }

    private static StartupRefusedException Refused(string key, string problem) => new($"{Section}:{key}", problem);
}
