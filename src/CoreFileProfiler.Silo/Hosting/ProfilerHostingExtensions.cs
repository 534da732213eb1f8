using System.Text.Json.Serialization;
using CoreFileProfiler.Node;
using CoreFileProfiler.Node.Telemetry;
using CoreFileProfiler.Node.Terminals;
using CoreFileProfiler.Store;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.Options;
using CoreFileProfiler.Grains.Cluster;
using CoreFileProfiler.Grains.Crashes;
using CoreFileProfiler.Grains.Persistence;
using CoreFileProfiler.Silo.NodeIo;
using CoreFileProfiler.Silo.Notifications;
using Orleans.Configuration;
using Orleans.Persistence;
using Orleans.Serialization;
using Orleans.Storage;
using Serilog;
using Serilog.Formatting;
using Serilog.Formatting.Compact;
using Serilog.Formatting.Display;

namespace CoreFileProfiler.Silo.Hosting;

public static class ProfilerHostingExtensions
{
    /// <summary>Serilog: readable console in Development, one compact JSON object per line otherwise; capabilities redacted in both.</summary>
    public static void AddProfilerLogging(this WebApplicationBuilder builder)
    {
        var node = builder.ResolveNodeName();
        builder.Services.AddSerilog(log =>
        {
            log.ReadFrom.Configuration(builder.Configuration)
                .Enrich.FromLogContext()
                .Enrich.WithProperty("Node", node);
            ITextFormatter format = builder.Environment.IsDevelopment()
                ? new MessageTemplateTextFormatter("[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj} {Properties:j}{NewLine}{Exception}")
                : new RenderedCompactJsonFormatter();
            log.WriteTo.Console(new CapabilityRedactingFormatter(format));
        });
    }

    /// <summary>Options, node-local services, JSON and HTTP plumbing.</summary>
    public static void AddProfilerServices(this WebApplicationBuilder builder)
    {
        var node = builder.ResolveNodeName();
        const string MinFreeSpace = $"{ProfilerOptions.Section}:{nameof(ProfilerOptions.MinFreeSpace)}";
        if (builder.Configuration[MinFreeSpace] is { } floor && !FreeSpaceFloor.TryParse(floor, out _))
        {
            throw new StartupRefusedException(MinFreeSpace, $"'{floor}' is neither bytes ('2GiB', '2147483648') nor a percentage of the filesystem from 0 to 100 ('5%')");
        }

        builder.Services.AddOptions<ProfilerOptions>()
            .Bind(builder.Configuration.GetSection(ProfilerOptions.Section))
            .PostConfigure(o => o.NodeName = node)
            .Validate(o => Path.IsPathRooted(o.CoreRoot), "Profiler:CoreRoot must be an absolute path.")
            .Validate(o => o.EffectiveAllowedPaths.All(Path.IsPathRooted), "Profiler:AllowedPaths must be absolute paths.")
            .Validate(o => o.MaxExpirationSeconds > 0, "Profiler:MaxExpirationSeconds must be positive.")
            .Validate(o => o.MaxSessions > 0, "Profiler:MaxSessions must be positive.")
            .Validate(o => o.PublicBaseUrl is null || Uri.IsWellFormedUriString(o.PublicBaseUrl, UriKind.Absolute), "Profiler:PublicBaseUrl must be an absolute URL.")
            .Validate(o => o.MaxViewersPerTerminal > 0, "Profiler:MaxViewersPerTerminal must be positive.")
            .Validate(o => o.MaxViewerBacklogBytes > SharedTerminal.ScrollbackBytes, $"Profiler:MaxViewerBacklogBytes must be larger than the scrollback ({SharedTerminal.ScrollbackBytes} bytes) every viewer gets first.")
            .Validate(o => o.MaxTerminalInputBytes > 0, "Profiler:MaxTerminalInputBytes must be positive.")
            // Input waits inside a call to the terminal's session grain, which times out after 30 s.
            .Validate(o => o.TerminalInputWaitSeconds is > 0 and <= 20, "Profiler:TerminalInputWaitSeconds must be between 1 and 20.")
            .Validate(o => o.MaxGdbProcesses > 0, "Profiler:MaxGdbProcesses must be positive.")
            .Validate(o => o.MaxRequestBodyBytes is > 0 and <= 1 << 30, "Profiler:MaxRequestBodyBytes must be between 1 and 1 GiB.")
            .Validate(o => o.RequestBodyTimeoutSeconds > 0, "Profiler:RequestBodyTimeoutSeconds must be positive.")
            .Validate(o => o.RequestHeadersTimeoutSeconds > 0, "Profiler:RequestHeadersTimeoutSeconds must be positive.")
            .Validate(o => o.CoresPerSignature > 0, "Profiler:CoresPerSignature must be positive.")
            .Validate(o => o.CrashReportTimeoutSeconds > 0, "Profiler:CrashReportTimeoutSeconds must be positive.")
            .ValidateOnStart();

        var auth = builder.Configuration.GetSection(AdminOptions.Section);
        builder.Services.AddOptions<AdminOptions>().Bind(auth);
        builder.Services.AddSingleton<AdminAccess>();
        builder.Services.AddSingleton(ProcessorCallers.Parse(ConfiguredList.Read(auth.GetSection("ProcessorCallers"))));
        var origins = AllowedOrigins.Parse(ConfiguredList.Read(auth.GetSection("AllowedOrigins")));
        builder.Services.AddSingleton<ClusterOrigins>();
        var webhooks = WebhookUrls.Parse(ConfiguredList.Read(builder.Configuration.GetSection(WebhookUrls.Setting)));
        if (webhooks.Urls.Count > 0)
        {
            builder.Services.AddSingleton(webhooks);
            builder.Services.AddSingleton<ICrashObserver, CrashWebhooks>();
        }

        builder.Services.AddSingleton(services => new AllowedOrigins(
            origins, services.GetRequiredService<PublicUrls>(), services.GetRequiredService<IServer>(), services.GetRequiredService<ClusterOrigins>()));
        builder.Services.AddSingleton<PublicUrls>();
        builder.Services.AddHostedService<OrphanReaper>();
        builder.Services.AddHostedService<CollectorInstaller>();
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<ProfilerExceptionHandler>();
        builder.Services.AddHealthChecks().AddCheck<NodeReadinessCheck>("node", tags: ["ready"]);
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("core-file-profiler", serviceInstanceId: node))
            .WithMetrics(metrics => metrics.AddMeter(ProfilerMetrics.MeterName).AddPrometheusExporter());
        builder.Services.AddOpenApi(openApi => openApi.AddDocumentTransformer<ContractDescription>());
        builder.Services.ConfigureHttpJsonOptions(json =>
            json.SerializerOptions.Converters.Add(new JsonStringEnumConverter(System.Text.Json.JsonNamingPolicy.CamelCase)));
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
        // No request needs a large body or slow headers: whatever is slow or big is cut off, not held.
        builder.Services.AddOptions<KestrelServerOptions>().Configure<IOptions<ProfilerOptions>>((kestrel, profiler) =>
        {
            // Twice the cap the processor enforces itself: a body a little too large is still read and answered 413,
            // which a client that sends its whole body before reading the answer then sees; a larger one is not
            // read at all, its connection closed after the 413.
            kestrel.Limits.MaxRequestBodySize = 2 * profiler.Value.MaxRequestBodyBytes;
            kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(profiler.Value.RequestHeadersTimeoutSeconds);
        });
    }

    /// <summary>
    /// The Orleans silo in this process, with this node's placement. Settings that cannot work
    /// (certificates, Redis credentials) are checked here, before anything starts, and refused
    /// with a <see cref="StartupRefusedException"/>.
    /// </summary>
    public static void AddProfilerSilo(this WebApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(ProfilerClusterOptions.Section);
        var cluster = section.Get<ProfilerClusterOptions>() ?? new();
        var node = builder.ResolveNodeName();
        var tls = cluster.Tls.IsConfigured ? ClusterTls.Load(cluster.Tls) : null;
        var clustered = cluster.Provider == ProfilerClusterOptions.RedisProvider && !string.IsNullOrWhiteSpace(cluster.Redis);
        if (clustered) RedisPreflight.Check(cluster.Redis!);
        var address = clustered ? AdvertisedAddress.Resolve(cluster.AdvertisedAddress) : null;
        var seal = clustered ? SessionSeal(builder.Configuration, cluster) : null;
        var urls = (builder.Configuration[WebHostDefaults.ServerUrlsKey] ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var forwarding = address is not null && cluster.ForwardingPort > 0 ? builder.AddForwardingEndpoint(address, cluster, tls, urls) : ForwardingEndpoint.None;
        builder.AddSessionIo(forwarding, tls);
        var metadata = new Dictionary<string, string>();
        if (forwarding.PublishedUrl is { } published) metadata[ForwardingEndpoint.MetadataKey] = published;
        if (clustered && ClusterOrigins.Of(builder.Configuration[$"{ProfilerOptions.Section}:{nameof(ProfilerOptions.PublicBaseUrl)}"], node, urls) is { } origin)
        {
            metadata[ClusterOrigins.MetadataKey] = origin;
        }

        builder.UseOrleans(silo =>
        {
            silo.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = cluster.ClusterId;
                o.ServiceId = cluster.ServiceId;
            });
            silo.Configure<ClusterMembershipOptions>(section.GetSection("Membership"));
            switch (cluster.Provider)
            {
                case ProfilerClusterOptions.LocalhostProvider:
                    silo.UseLocalhostClustering(cluster.SiloPort, cluster.GatewayPort);
                    // One process: sessions live as long as it does, and nothing else is needed.
                    silo.AddMemoryGrainStorage(SessionStorage.Underneath, (OptionsBuilder<MemoryGrainStorageOptions> storage) =>
                        storage.Configure<Serializer>((o, serializer) => o.GrainStorageSerializer = new OrleansGrainStorageSerializer(serializer)));
                    break;
                case ProfilerClusterOptions.RedisProvider when clustered:
                    silo.UseRedisClustering(cluster.Redis!);
                    // Sessions outlive their silo (a rolling update): kept beside the membership table, sealed with
                    // keys Redis does not hold, under names that are not their ids (docs/architecture.md, "What survives a restart").
                    var redis = new SessionRedisConnection(cluster.Redis!);
                    silo.Services.AddSingleton(_ => redis); // made by a factory, so the container disposes it
                    silo.Services.AddSingleton(seal!);
                    silo.Services.AddSingleton<ISessionRegistry, RedisSessionRegistry>();
                    silo.AddRedisGrainStorage(SessionStorage.Underneath, (OptionsBuilder<RedisStorageOptions> storage) => storage.Configure<Serializer>((o, serializer) =>
                    {
                        o.ConfigurationOptions = redis.Options; // required by its validator, though the connection is ours
                        o.CreateMultiplexer = async _ => (await redis.GetAsync(), IsShared: true);
                        o.DeleteStateOnClear = true; // an ended session leaves nothing behind
                        // Orleans' own serializer, not the default Json.NET with type names: the records are sealed bytes.
                        o.GrainStorageSerializer = new OrleansGrainStorageSerializer(serializer);
                    }));
                    silo.Configure<EndpointOptions>(o =>
                    {
                        o.AdvertisedIPAddress = address!;
                        o.SiloPort = cluster.SiloPort;
                        o.GatewayPort = cluster.GatewayPort;
                    });
                    // In a pod the Kubernetes agent names the silo after the pod; elsewhere the silo
                    // is named after its node, which the cluster views use.
                    if (cluster.Kubernetes ?? KubernetesPod.IsCurrent) silo.UseKubernetesHosting();
                    else silo.Configure<SiloOptions>(o => o.SiloName = ClusterNodes.SiloNameFor(node));
                    break;
                default:
                    throw new StartupRefusedException($"{ProfilerClusterOptions.Section}:{nameof(ProfilerClusterOptions.Provider)}",
                        $"'{cluster.Provider}' is not supported; use 'Localhost', or 'Redis' with Cluster:Redis set");
            }

            if (tls is not null) silo.Configure<SiloConnectionOptions>(tls.Secure);
            silo.AddCoreFileProfiler(node, metadata);
        });
    }

    /// <summary>
    /// The keys that seal what the cluster keeps in Redis, derived from the admin token: the one secret the chart
    /// gives every silo (cluster TLS may be off, or give each silo a key of its own) and keeps out of Redis.
    /// Without it anyone who can write to Redis could forge a session (a trusted caller's, a node-wide target)
    /// and read session ids there, so a clustered silo refuses to start rather than run so.
    /// </summary>
    private static RecordSeal SessionSeal(ConfigurationManager configuration, ProfilerClusterOptions cluster)
    {
        const string Setting = $"{AdminOptions.Section}:{nameof(AdminOptions.AdminToken)}";
        return configuration[Setting] is { Length: > 0 } token
            ? RecordSeal.FromSecret(token, cluster.ServiceId)
            : throw new StartupRefusedException(Setting, "is required with Cluster:Provider=Redis: the sessions kept in Redis are sealed with a key derived from it, so that whoever can write to Redis cannot forge or read them");
    }

    /// <summary>First for every request: what comes in through the forwarding endpoint is served as the user's own request, no more.</summary>
    public static void UseForwardingGuard(this WebApplication app) => app.Use(app.Services.GetRequiredService<ForwardingEndpoint>().GuardAsync);

    /// <summary>
    /// The endpoint other gateways forward to, on the advertised address beside the gateway's own URLs
    /// (Kestrel binds either endpoints made in code or the configured URLs, never both, so it joins them):
    /// with cluster TLS, https that admits only a client with a silo certificate of the cluster's authority.
    /// </summary>
    private static ForwardingEndpoint AddForwardingEndpoint(
        this WebApplicationBuilder builder, System.Net.IPAddress address, ProfilerClusterOptions cluster, ClusterTls? tls, IReadOnlyList<string> urls)
    {
        builder.WebHost.UseUrls([.. urls, ForwardingEndpoint.UrlOf(address, cluster.ForwardingPort, tls is not null)]);
        if (tls is not null)
        {
            // This endpoint only: https defaults would also give a public https URL the silo certificate and
            // demand a client certificate of the cluster there, which no browser has.
            builder.Services.AddOptions<KestrelServerOptions>().Configure<ILogger<ClusterTls>>((kestrel, logger) =>
                kestrel.ConfigureEndpointDefaults(listen =>
                {
                    if (IsForwarding(listen, address, cluster.ForwardingPort)) listen.UseHttps(https => tls.SecureForwarding(https, logger));
                }));
        }

        return new ForwardingEndpoint(cluster.ForwardingPort, ForwardingEndpoint.UrlOf(address, cluster.AdvertisedForwardingPort ?? cluster.ForwardingPort, tls is not null));
    }

    /// <summary>Whether Kestrel's endpoint is the forwarding endpoint bound from its URL (the advertised address and the forwarding port).</summary>
    internal static bool IsForwarding(ListenOptions listen, System.Net.IPAddress address, int port) =>
        listen.IPEndPoint is { } endpoint && endpoint.Port == port && endpoint.Address.Equals(address);

    /// <summary>The seam between endpoints and node-local I/O, and the forwarding to other nodes' gateways behind it.</summary>
    private static void AddSessionIo(this WebApplicationBuilder builder, ForwardingEndpoint forwarding, ClusterTls? tls)
    {
        builder.Services.AddSingleton(forwarding);
        builder.Services.AddHttpForwarder();
        builder.Services.AddSingleton(services => new ForwardingClient(tls?.ForwardingClient(services.GetRequiredService<ILogger<ClusterTls>>())));
        builder.Services.AddSingleton<DownloadForwarder>();
        builder.Services.AddSingleton<SplicedDownloadForwarder>();
        builder.Services.AddSingleton<NodeGateways>();
        builder.Services.AddSingleton<SessionIo>();
        // Refused now, before anything starts, like Profiler:Webhooks.
        var upstream = HttpUrls.Parse(DebuginfodUpstream.Setting, ConfiguredList.Read(builder.Configuration.GetSection(DebuginfodUpstream.Setting)));
        builder.Services.AddSingleton(services => new DebuginfodUpstream(upstream, services.GetRequiredService<ILogger<DebuginfodUpstream>>()));
        builder.Services.AddSingleton<KeptObjectIo>();
    }

    /// <summary><c>Profiler:NodeName</c>, else env NODE_NAME, else the host name.</summary>
    private static string ResolveNodeName(this WebApplicationBuilder builder)
    {
        var node = builder.Configuration[$"{ProfilerOptions.Section}:{nameof(ProfilerOptions.NodeName)}"] is { Length: > 0 } configured
            ? configured
            : Environment.GetEnvironmentVariable("NODE_NAME") is { Length: > 0 } fromEnvironment ? fromEnvironment : Environment.MachineName;
        return NodeName.IsValid(node)
            ? node
            : throw new OptionsValidationException(ProfilerOptions.Section, typeof(ProfilerOptions), [$"Node name '{node}' is not a valid host name."]);
    }
}
