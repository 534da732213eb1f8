namespace CoreFileProfiler.Silo.Hosting;

/// <summary>The <c>Cluster</c> configuration section.</summary>
/// <remarks><c>Cluster:Membership</c> binds Orleans' <c>ClusterMembershipOptions</c> (failure detection).</remarks>
public sealed class ProfilerClusterOptions
{
    public const string Section = "Cluster";
    public const string LocalhostProvider = "Localhost";
    public const string RedisProvider = "Redis";

    /// <summary><c>Localhost</c> (one process, no dependencies) or <c>Redis</c>.</summary>
    public string Provider { get; set; } = LocalhostProvider;

    /// <summary>The Redis connection string (StackExchange.Redis syntax) when the provider is Redis.</summary>
    public string? Redis { get; set; }

    public int SiloPort { get; set; } = 11111;

    /// <summary>The Orleans client gateway; 0 (the default) listens for no Orleans clients: the silo serves HTTP itself.</summary>
    public int GatewayPort { get; set; }

    /// <summary>The address other silos reach this one at; default: POD_IP in a pod, else the host's address.</summary>
    public string? AdvertisedAddress { get; set; }

    /// <summary>Whether to use Orleans' Kubernetes hosting; default: when running in a pod.</summary>
    public bool? Kubernetes { get; set; }

    public string ClusterId { get; set; } = "core-file-profiler";

    public string ServiceId { get; set; } = "core-file-profiler";

    /// <summary>
    /// Where this silo's gateway takes requests other gateways forward to it (downloads, terminals of this
    /// node), on the advertised address; mutual TLS with the cluster certificate when <see cref="Tls"/> is
    /// set. 0: nothing is forwarded here, and other gateways go through Orleans messaging.
    /// </summary>
    public int ForwardingPort { get; set; } = 11112;

    /// <summary>The port other silos forward to, when a port mapping puts <see cref="ForwardingPort"/> elsewhere; default: that port.</summary>
    public int? AdvertisedForwardingPort { get; set; }

    /// <summary>Mutual TLS between silos; off unless its files are named.</summary>
    public ClusterTlsOptions Tls { get; set; } = new();
}
