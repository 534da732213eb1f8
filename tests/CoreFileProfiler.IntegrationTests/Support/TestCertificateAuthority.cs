using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace CoreFileProfiler.IntegrationTests.Support;

/// <summary>
/// A private certificate authority made in memory, as the chart's <c>genCA</c> makes one: it
/// issues silo certificates (server and client authentication) and writes them as the PEM files
/// <c>Cluster:Tls:*</c> names.
/// </summary>
public sealed class TestCertificateAuthority : IDisposable
{
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    public TestCertificateAuthority(string name)
    {
        var request = new CertificateRequest($"CN={name}", _key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        Certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
    }

    public X509Certificate2 Certificate { get; }

    /// <summary>A certificate for <paramref name="name"/> signed by this authority, with its private key.</summary>
    public X509Certificate2 Issue(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        var serial = RandomNumberGenerator.GetBytes(16);
        using var issued = request.Create(Certificate, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30), serial);
        return issued.CopyWithPrivateKey(key);
    }

    /// <summary>Writes tls.crt, tls.key and ca.crt for <paramref name="name"/> into <paramref name="directory"/>; returns the silo's arguments naming them.</summary>
    public string[] WriteSiloFiles(string directory, string name)
    {
        Directory.CreateDirectory(directory);
        using var certificate = Issue(name);
        var files = new TlsFiles(directory);
        File.WriteAllText(files.Certificate, certificate.ExportCertificatePem());
        File.WriteAllText(files.Key, certificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(files.Authority, Certificate.ExportCertificatePem());
        return files.Arguments;
    }

    public void Dispose()
    {
        Certificate.Dispose();
        _key.Dispose();
    }

    /// <summary>The three files of a silo's <c>Cluster:Tls</c> settings, named as the chart's secret names them.</summary>
    public sealed record TlsFiles(string Directory)
    {
        public string Certificate => Path.Join(Directory, "tls.crt");

        public string Key => Path.Join(Directory, "tls.key");

        public string Authority => Path.Join(Directory, "ca.crt");

        public string[] Arguments =>
            [$"--Cluster:Tls:Certificate={Certificate}", $"--Cluster:Tls:Key={Key}", $"--Cluster:Tls:CertificateAuthority={Authority}"];
    }
}
