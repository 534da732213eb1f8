namespace CoreFileProfiler.Silo.Hosting;

/// <summary>
/// <c>Cluster:Tls</c>: PEM files of this silo's certificate, its key, and the certificate
/// authority every peer's certificate must chain to. All three or none.
/// </summary>
public sealed class ClusterTlsOptions
{
    public string? Certificate { get; set; }

    public string? Key { get; set; }

    public string? CertificateAuthority { get; set; }

    public bool IsConfigured =>
        !string.IsNullOrWhiteSpace(Certificate) || !string.IsNullOrWhiteSpace(Key) || !string.IsNullOrWhiteSpace(CertificateAuthority);
}
