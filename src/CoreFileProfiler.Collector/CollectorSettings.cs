using System.Text.Json;
using System.Text.Json.Serialization;
using CoreFileProfiler.Store;

namespace CoreFileProfiler.Collector;

/// <summary>
/// Limits and places, from <c>core-collector.json</c> beside the executable (the kernel starts
/// pipe handlers with an empty environment), then <c>CORE_COLLECTOR_*</c> variables. Defaults
/// are safe: a core never grows past <see cref="MaxCoreBytes"/> nor eats the last
/// <see cref="MinFreeBytes"/> of its filesystem.
/// </summary>
public sealed class CollectorSettings
{
    public string CoreRoot { get; set; } = "/var/lib/kubediag/corefile";

    public long MaxCoreBytes { get; set; } = 8L << 30;

    public long MinFreeBytes { get; set; } = 2L << 30;

    /// <summary>The floor as bytes or a percentage of the filesystem (<c>"5%"</c>, <c>"2GiB"</c>); replaces <see cref="MinFreeBytes"/> when set.</summary>
    public string? MinFreeSpace { get; set; }

    /// <summary>
    /// What a core never takes the filesystem below. A <see cref="MinFreeSpace"/> that is no floor
    /// leaves <see cref="MinFreeBytes"/> in force: a crash is no time to refuse settings.
    /// </summary>
    [JsonIgnore]
    public FreeSpaceFloor Floor => FreeSpaceFloor.TryParse(MinFreeSpace, out var floor) ? floor : FreeSpaceFloor.OfBytes(MinFreeBytes);

    /// <summary>The floor's setting, for metadata notes.</summary>
    [JsonIgnore]
    public string FloorSetting => FreeSpaceFloor.TryParse(MinFreeSpace, out var floor) ? $"MinFreeSpace ({floor})" : $"MinFreeBytes ({MinFreeBytes} bytes)";

    /// <summary>Write cores zstd-compressed (<c>.zst</c>); the profiler decompresses them for gdb and downloads.</summary>
    public bool Compress { get; set; }

    /// <summary>Executables up to this size are kept (once per build-id) so gdb has symbols after the container is gone; 0 turns it off.</summary>
    public long MaxExecutableBytes { get; set; } = 512L << 20;

    /// <summary>
    /// Bytes of mapped objects (shared libraries) and debug files read and kept per crash, beside the
    /// executable (docs/architecture.md, Build-id store); what does not fit is named in the metadata's
    /// <c>skipped</c>. 0 keeps none.
    /// </summary>
    public long MaxObjectBytesPerCrash { get; set; } = 1L << 30;

    /// <summary>Asked for a container's names when the kubelet's log links do not know it.</summary>
    public string DockerEndpoint { get; set; } = "unix:///var/run/docker.sock";

    /// <summary>Streaming a core stops here (the core is cut and noted): a dump that stalls cannot hold the collector.</summary>
    public int MaxStreamSeconds { get; set; } = 120;

    /// <summary>The container, names, build-id, executable copy and mapped objects share this much time; what overruns is skipped and noted.</summary>
    public int EnrichmentSeconds { get; set; } = 10;

    /// <summary>RLIMIT_AS of the collector: its runtime reserves about 690 MiB at start-up (the GC heap capped at 64 MiB in the csproj), and a whole 1 GiB core, compressed or not, needs no more; 0 sets none.</summary>
    public long MaxAddressSpaceBytes { get; set; } = 1L << 30;

    /// <summary>RLIMIT_CPU of the collector, above what streaming and enrichment can use in their time; 0 sets none.</summary>
    public int MaxCpuSeconds { get; set; } = 180;

    public string ProcRoot { get; set; } = "/proc";

    public string LogRoot { get; set; } = "/var/log";

    public static string FilePath => Path.Join(AppContext.BaseDirectory, "core-collector.json");

    public static CollectorSettings Load()
    {
        var settings = File.Exists(FilePath)
            ? JsonSerializer.Deserialize(File.ReadAllBytes(FilePath), CollectorSettingsJson.Default.CollectorSettings) ?? new()
            : new CollectorSettings();
        settings.CoreRoot = Environment.GetEnvironmentVariable("CORE_COLLECTOR_CORE_ROOT") ?? settings.CoreRoot;
        settings.ProcRoot = Environment.GetEnvironmentVariable("CORE_COLLECTOR_PROC_ROOT") ?? settings.ProcRoot;
        settings.LogRoot = Environment.GetEnvironmentVariable("CORE_COLLECTOR_LOG_ROOT") ?? settings.LogRoot;
        settings.DockerEndpoint = Environment.GetEnvironmentVariable("CORE_COLLECTOR_DOCKER_ENDPOINT") ?? settings.DockerEndpoint;
        if (long.TryParse(Environment.GetEnvironmentVariable("CORE_COLLECTOR_MAX_CORE_BYTES"), out var max)) settings.MaxCoreBytes = max;
        if (long.TryParse(Environment.GetEnvironmentVariable("CORE_COLLECTOR_MAX_OBJECT_BYTES_PER_CRASH"), out var objects)) settings.MaxObjectBytesPerCrash = objects;
        if (long.TryParse(Environment.GetEnvironmentVariable("CORE_COLLECTOR_MIN_FREE_BYTES"), out var free)) settings.MinFreeBytes = free;
        settings.MinFreeSpace = Environment.GetEnvironmentVariable("CORE_COLLECTOR_MIN_FREE_SPACE") ?? settings.MinFreeSpace;
        if (bool.TryParse(Environment.GetEnvironmentVariable("CORE_COLLECTOR_COMPRESS"), out var compress)) settings.Compress = compress;
        if (int.TryParse(Environment.GetEnvironmentVariable("CORE_COLLECTOR_MAX_STREAM_SECONDS"), out var stream)) settings.MaxStreamSeconds = stream;
        if (int.TryParse(Environment.GetEnvironmentVariable("CORE_COLLECTOR_ENRICHMENT_SECONDS"), out var enrichment)) settings.EnrichmentSeconds = enrichment;
        if (long.TryParse(Environment.GetEnvironmentVariable("CORE_COLLECTOR_MAX_ADDRESS_SPACE_BYTES"), out var addressSpace)) settings.MaxAddressSpaceBytes = addressSpace;
        if (int.TryParse(Environment.GetEnvironmentVariable("CORE_COLLECTOR_MAX_CPU_SECONDS"), out var cpu)) settings.MaxCpuSeconds = cpu;
        return settings;
    }
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(CollectorSettings))]
internal sealed partial class CollectorSettingsJson : JsonSerializerContext;
