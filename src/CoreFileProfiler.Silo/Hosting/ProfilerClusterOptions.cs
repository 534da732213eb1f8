namespace CoreFileProfiler.Silo.Hosting;

/// <summary>The <c>Cluster</c> configuration section (DESIGN §3).</summary>
public sealed class ProfilerClusterOptions
{
    public const string Section = "Cluster";

    /// <summary><c>Localhost</c> (one process, no dependencies) or <c>Redis</c>.</summary>
    public string Provider { get; set; } = "Localhost";

    public string? Redis { get; set; }

    public int SiloPort { get; set; } = 11111;

    public int GatewayPort { get; set; } = 30000;

    public string ClusterId { get; set; } = "core-file-profiler";

    public string ServiceId { get; set; } = "core-file-profiler";
}
