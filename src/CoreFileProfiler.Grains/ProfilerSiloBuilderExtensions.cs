using CoreFileProfiler.Grains.Cluster;
using CoreFileProfiler.Grains.Crashes;
using CoreFileProfiler.Grains.Persistence;
using CoreFileProfiler.Grains.Placement;
using CoreFileProfiler.Node.Containers;
using CoreFileProfiler.Node.Cores;
using CoreFileProfiler.Node.Processes;
using CoreFileProfiler.Node.Sandbox;
using CoreFileProfiler.Node.Debugging;
using CoreFileProfiler.Node.Telemetry;
using CoreFileProfiler.Node.Terminals;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Orleans.Serialization;
using Orleans.Storage;
using Orleans.Runtime.MembershipService.SiloMetadata;

namespace Orleans.Hosting;

public static class ProfilerSiloBuilderExtensions
{
    /// <summary>
    /// The profiler's grains and the node-local services they use, for the silo of
    /// <paramref name="nodeName"/>: publishes the node in the silo's metadata and places
    /// node-pinned grains by it. <c>ProfilerOptions</c> are the host's to configure, and so is the
    /// grain storage named <see cref="SessionStorage.Underneath"/>, which the grains reach sealed
    /// (<see cref="SealedGrainStorage"/>). The host may replace the seal's keys (<see cref="RecordSeal"/>,
    /// of this process by default) and the registry (<see cref="ISessionRegistry"/>, memory by default).
    /// </summary>
    /// <param name="metadata">More the host publishes about this silo (its gateway's forwarding address).</param>
    public static ISiloBuilder AddCoreFileProfiler(this ISiloBuilder silo, string nodeName, IReadOnlyDictionary<string, string>? metadata = null)
    {
        silo.Services.TryAddSingleton(TimeProvider.System);
        silo.Services.TryAddSingleton<CoreStore>();
        silo.Services.TryAddSingleton<CoreRetention>();
        silo.Services.TryAddSingleton<GdbSandbox>();
        silo.Services.AddHostedService(services => services.GetRequiredService<GdbSandbox>());
        silo.Services.TryAddSingleton<SandboxUids>();
        silo.Services.TryAddSingleton<GdbProcessSlots>();
        silo.Services.TryAddSingleton<ExecutableCopyCheck>();
        silo.Services.TryAddSingleton<BuildIdSysroot>();
        silo.Services.TryAddSingleton<KeptObjects>();
        silo.Services.TryAddSingleton<GdbLauncher>();
        silo.Services.TryAddSingleton<CoreSnapshotter>();
        silo.Services.TryAddSingleton<ProcessTable>();
        silo.Services.TryAddSingleton<DockerContainers>();
        silo.Services.TryAddSingleton<ContainerLocator>();
        silo.Services.TryAddSingleton<LocalTerminals>();
        silo.Services.TryAddSingleton<ProfilerMetrics>();
        // After the sandbox's start-up: reports run gdb only once its probe has passed.
        silo.Services.TryAddSingleton<GdbCrashReader>();
        silo.Services.TryAddSingleton<CrashGroups>();
        silo.Services.TryAddSingleton<CrashReporter>();
        silo.Services.AddHostedService(services => services.GetRequiredService<CrashReporter>());
        silo.Services.TryAddSingleton<ClusterNodes>();
        silo.Services.AddHostedService(services => services.GetRequiredService<ClusterNodes>());
        silo.Services.TryAddSingleton<ClusterOverview>();
        silo.Services.TryAddSingleton<ClusterKeptObjects>();
        silo.Services.TryAddSingleton(_ => RecordSeal.ForThisProcess());
        silo.Services.TryAddSingleton<RegistryEntrySeal>();
        silo.Services.TryAddSingleton<ISessionRegistry, MemorySessionRegistry>();
        silo.Services.AddKeyedSingleton<IGrainStorage>(SessionStorage.Name, (services, _) => new SealedGrainStorage(
            services.GetRequiredKeyedService<IGrainStorage>(SessionStorage.Underneath),
            services.GetRequiredService<RecordSeal>(),
            services.GetRequiredService<Serializer>(),
            services.GetRequiredService<ILogger<SealedGrainStorage>>()));
        // A session's gdb lives in its activation's memory, so a second activation of it must never
        // appear: the strongly consistent directory recovers a dead silo's directory range from the
        // live silos' activations, where the default one forgets it and lets duplicates in.
#pragma warning disable ORLEANSEXP003 // experimental in 10.x; chosen for the guarantee above
        silo.AddDistributedGrainDirectory();
#pragma warning restore ORLEANSEXP003
        return silo
            .UseSiloMetadata(new Dictionary<string, string>(metadata ?? new Dictionary<string, string>()) { [NodePlacementDirector.MetadataKey] = nodeName })
            .AddPlacementDirector<NodePlacementStrategy, NodePlacementDirector>();
    }
}
