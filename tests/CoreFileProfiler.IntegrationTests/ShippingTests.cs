using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.RegularExpressions;
using CoreFileProfiler.IntegrationTests.Support;
using YamlDotNet.RepresentationModel;

namespace CoreFileProfiler.IntegrationTests;

/// <summary>
/// The Helm chart, linted and rendered by a real helm (test.sh puts one in artifacts/tools), and
/// the Dockerfile, checked for what can be checked without a Docker daemon.
/// </summary>
/// <remarks>
/// What `lookup` does (keeping the generated TLS pair, Redis password and admin token across
/// upgrades) cannot be exercised here: `helm template` has no API server, so `lookup` returns
/// nothing and every render generates anew.
/// </remarks>
public sealed class ShippingTests
{
    private const string Chart = HelmChart.Chart;
    private const string EverythingOn = HelmChart.EverythingOn;
    private const string FullName = "cfp-core-file-profiler"; // release "cfp"
    private const string ClusterTlsPath = "/var/run/secrets/core-file-profiler/cluster-tls";
    private const string ServiceAccountPath = "/var/run/secrets/kubernetes.io/serviceaccount";

    /// <summary>
    /// Every environment variable the profiler container may get: the settings the silo reads
    /// (README, Configuration) and the downward API. A new one is added here on purpose, or the test fails.
    /// </summary>
    private static readonly HashSet<string> ProfilerEnvironment =
    [
        "NODE_NAME", "POD_NAME", "POD_NAMESPACE", "POD_IP",
        "Urls",
        "Profiler__CoreRoot", "Profiler__MinFreeSpace", "Profiler__PublicBaseUrl", "Profiler__CoresPerSignature", "Profiler__Webhooks", "Profiler__DebuginfodUpstream",
        "Auth__AdminToken", "Auth__ProcessorCallers", "Auth__AllowedOrigins",
        "Cluster__Provider", "Cluster__Redis", "Cluster__SiloPort", "Cluster__ForwardingPort", "Cluster__ClusterId", "Cluster__ServiceId",
        "Cluster__Tls__Certificate", "Cluster__Tls__Key", "Cluster__Tls__CertificateAuthority",
    ];

    /// <summary>orleans.membership passes ClusterMembershipOptions through by name.</summary>
    private static readonly Regex MembershipSetting = new("^Cluster__Membership__[A-Za-z]+$");

    private static readonly Regex LabelValue = new("^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$");

    [Theory]
    [InlineData(null)]
    [InlineData(EverythingOn)]
    public async Task Helm_lints_the_chart(string? values)
    {
        var (exitCode, output) = await HelmChart.RunHelmAsync(["lint", Chart, .. HelmChart.ValuesArguments(values)]);

        Assert.True(exitCode == 0, output);
        Assert.Contains("0 chart(s) failed", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_default_daemonset_runs_on_the_hosts_pid_namespace_with_ptrace_and_the_sandboxs_capabilities()
    {
        var manifests = await RenderAsync(values: null);
        var pod = manifests.PodSpec();
        var container = manifests.Profiler();

        Assert.Equal("true", pod.Scalar("hostPID"));
        Assert.Equal(["SYS_PTRACE", "SETUID", "SETGID", "KILL"], container.Path("securityContext", "capabilities").Strings("add"));
        Assert.False(pod.Has("initContainers")); // no core_pattern change unless asked

        var env = container.Env();
        Assert.Equal("spec.nodeName", env["NODE_NAME"].Path("valueFrom", "fieldRef").Scalar("fieldPath"));
        Assert.Equal("metadata.name", env["POD_NAME"].Path("valueFrom", "fieldRef").Scalar("fieldPath"));
        Assert.Equal("metadata.namespace", env["POD_NAMESPACE"].Path("valueFrom", "fieldRef").Scalar("fieldPath"));
        Assert.Equal("status.podIP", env["POD_IP"].Path("valueFrom", "fieldRef").Scalar("fieldPath"));
        Assert.Equal("http://0.0.0.0:8090", env["Urls"].Scalar("value"));
        Assert.Equal("/var/lib/kubediag/corefile", env["Profiler__CoreRoot"].Scalar("value"));
        Assert.Equal("Redis", env["Cluster__Provider"].Scalar("value"));
        Assert.Equal("11111", env["Cluster__SiloPort"].Scalar("value"));
        Assert.Equal("admin-token", env["Auth__AdminToken"].Path("valueFrom", "secretKeyRef").Scalar("key"));

        Assert.Equal("/healthz", container.Path("livenessProbe", "httpGet").Scalar("path"));
        Assert.Equal("/readyz", container.Path("readinessProbe", "httpGet").Scalar("path"));
        Assert.Equal(
            ["/var/lib/kubediag/corefile", "/var/log/containers", "/var/log/pods", "/tmp", ServiceAccountPath, ClusterTlsPath],
            container.Mappings("volumeMounts").Select(m => m.Scalar("mountPath")));

        // The service account's token is for root alone (a sandboxed gdb runs as another user): mounted by hand, 0400.
        Assert.Equal("false", pod.Scalar("automountServiceAccountToken"));
        var token = Assert.Single(pod.Mappings("volumes"), v => v.Scalar("name") == "service-account").Path("projected");
        Assert.Equal("0400", token.Scalar("defaultMode"));
        Assert.Contains(token.Mappings("sources"), source => source.Has("serviceAccountToken") && source.Path("serviceAccountToken").Scalar("path") == "token");
        Assert.Equal(
            ["/var/lib/kubediag/corefile", "/var/log/containers", "/var/log/pods"],
            pod.Mappings("volumes").Where(v => v.Has("hostPath")).Select(v => v.Path("hostPath").Scalar("path")));

        var gateways = Assert.Single(manifests, m => m.Scalar("kind") == "Service" && m.Path("metadata").Scalar("name") == FullName);
        Assert.Equal("http", gateways.Path("spec").Mappings("ports").First().Scalar("targetPort"));
        Assert.Single(manifests, m => m.Scalar("kind") == "Deployment" && m.Path("metadata").Scalar("name") == $"{FullName}-redis");
        Assert.DoesNotContain(manifests, m => m.Scalar("kind") is "Operation" or "OperationSet");
    }

    [Fact]
    public async Task With_every_option_on_the_chart_mounts_the_docker_socket_installs_the_collector_and_registers_with_kubediag()
    {
        var manifests = await RenderAsync(EverythingOn);
        var pod = manifests.PodSpec();
        var container = manifests.Profiler();
        var install = pod.Mappings("initContainers").Single();

        Assert.Equal("true", install.Path("securityContext").Scalar("privileged")); // writes kernel.core_pattern
        Assert.NotEqual("true", container.Path("securityContext").Scalar("privileged"));
        Assert.Contains("core-collector install", string.Join(' ', install.Strings("command")), StringComparison.Ordinal);
        Assert.Contains("/var/run/docker.sock", container.Mappings("volumeMounts").Select(m => m.Scalar("mountPath")));
        Assert.Equal("10.244.0.0/16,192.168.10.0/24", container.Env()["Auth__ProcessorCallers"].Scalar("value"));
        Assert.Equal("https://profiler.example", container.Env()["Auth__AllowedOrigins"].Scalar("value"));
        Assert.DoesNotContain(manifests, m => m.Scalar("kind") == "Deployment"); // external Redis
        var operation = manifests.OfKind("Operation").Path("spec", "processor");
        Assert.Equal("/processor/coreFileProfiler", operation.Path("httpServer").Scalar("path"));
        Assert.Equal("90", operation.Scalar("timeoutSeconds"));
        manifests.OfKind("OperationSet");
    }

    [Theory]
    [InlineData(null)]
    [InlineData(EverythingOn)]
    public async Task The_profiler_container_drops_every_capability_but_ptrace_and_the_sandboxs_and_cannot_gain_any(string? values)
    {
        var (manifests, text) = await RenderWithTextAsync(values);
        var pod = manifests.PodSpec();
        var security = manifests.Profiler().Path("securityContext");

        Assert.Equal("RuntimeDefault", pod.Path("securityContext", "seccompProfile").Scalar("type"));
        Assert.Equal("true", pod.Scalar("hostPID"));
        Assert.Equal("false", security.Scalar("privileged")); // even with every option on
        Assert.Equal("false", security.Scalar("allowPrivilegeEscalation"));
        Assert.Equal("true", security.Scalar("readOnlyRootFilesystem"));
        Assert.Equal(["ALL"], security.Path("capabilities").Strings("drop"));
        // What the code needs and nothing more: never SYS_ADMIN, DAC_OVERRIDE or the like.
        Assert.Equal(["SYS_PTRACE", "SETUID", "SETGID", "KILL"], security.Path("capabilities").Strings("add"));

        // Each capability says why it is there, in the rendered manifest an operator reads.
        var lines = text.Split('\n').Select(l => l.Trim()).ToList();
        foreach (var (capability, reason) in new[] { ("SYS_PTRACE", "gdb"), ("SETUID", "sandbox"), ("KILL", "gdb") })
        {
            var at = lines.IndexOf($"- {capability}");
            var comment = lines.Take(at).Reverse().TakeWhile(l => l.StartsWith('#') || l.StartsWith("- SET", StringComparison.Ordinal)).Where(l => l.StartsWith('#'));
            Assert.True(at > 0 && comment.Any(), $"{capability} has a comment above it");
            Assert.Contains(reason, string.Join(' ', comment), StringComparison.Ordinal);
        }

        // The root is read-only: /tmp is where .NET and gdb write, outside the core store.
        var tmp = Assert.Single(manifests.Profiler().Mappings("volumeMounts"), m => m.Scalar("mountPath") == "/tmp");
        Assert.Equal("tmp", tmp.Scalar("name"));
        Assert.True(Assert.Single(pod.Mappings("volumes"), v => v.Scalar("name") == "tmp").Has("emptyDir"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData(EverythingOn)]
    public async Task The_profiler_container_gets_only_settings_the_silo_reads(string? values)
    {
        var manifests = await RenderAsync(values);
        var names = manifests.Profiler().Mappings("env").Select(e => e.Scalar("name")).ToList();

        Assert.Equal(names.Count, names.Distinct().Count());
        Assert.All(names, name => Assert.True(
            ProfilerEnvironment.Contains(name) || MembershipSetting.IsMatch(name),
            $"{name} is not a setting the silo reads: add it to ProfilerEnvironment if it now is"));
        var expected = ProfilerEnvironment.Where(n => values is not null || n is not ("Profiler__PublicBaseUrl" or "Auth__ProcessorCallers" or "Auth__AllowedOrigins" or "Profiler__Webhooks" or "Profiler__DebuginfodUpstream")).ToHashSet();
        Assert.Subset(names.ToHashSet(), expected);
        if (values is not null)
        {
            Assert.Contains("Cluster__Membership__ProbeTimeout", names);
            Assert.Contains("Cluster__Membership__NumMissedProbesLimit", names);
        }
    }

    [Fact]
    public async Task The_debuginfod_upstream_is_off_by_default_and_reaches_the_silo_as_its_setting()
    {
        var defaults = (await RenderAsync(values: null)).Profiler().Env();
        var configured = (await RenderAsync(EverythingOn)).Profiler().Env();
        var (refusedCode, refusedOutput) = await HelmChart.RunHelmAsync(["template", "cfp", Chart, "--set", "debuginfod.upstream={file:///usr/lib/debug}"]);

        Assert.False(defaults.ContainsKey("Profiler__DebuginfodUpstream"));
        Assert.Equal("https://debuginfod.example/,http://debuginfod.internal.example:8002/", configured["Profiler__DebuginfodUpstream"].Scalar("value"));
        Assert.NotEqual(0, refusedCode);
        Assert.Contains("/debuginfod/upstream/0", refusedOutput, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData(EverythingOn)]
    public async Task No_orleans_client_gateway_is_opened_or_configured(string? values)
    {
        var manifests = await RenderAsync(values);
        var pod = manifests.PodSpec();
        var containerPorts = pod.Mappings("containers").Concat(pod.Mappings("initContainers"))
            .SelectMany(c => c.Mappings("ports")).ToList();

        Assert.Equal(["http:8090", "silo:11111", "forwarding:11112"], containerPorts.Select(p => $"{p.Scalar("name")}:{p.Scalar("containerPort")}"));
        var env = manifests.Profiler().Mappings("env").Select(e => e.Scalar("name")).ToList();
        Assert.DoesNotContain("Cluster__GatewayPort", env);
        Assert.DoesNotContain(env, name => name.StartsWith("ORLEANS_", StringComparison.Ordinal));
        var servicePorts = manifests.Where(m => m.Scalar("kind") == "Service").SelectMany(s => s.Path("spec").Mappings("ports"));
        Assert.DoesNotContain(servicePorts, p => p.Scalar("port") == "30000" || p.Scalar("targetPort") is "30000" or "orleans-gateway");
        Assert.DoesNotContain(containerPorts, p => p.Scalar("containerPort") == "30000");
    }

    [Fact]
    public async Task Network_policies_admit_only_the_daemonsets_pods_to_the_silo_and_forwarding_ports_and_redis_and_the_listed_peers_to_http()
    {
        var manifests = await RenderAsync(values: null);
        var ownPods = OwnPodsPeer(manifests);

        var profiler = NetworkPolicy(manifests, FullName);
        Assert.Equal(DaemonSetSelector(manifests), profiler.Path("spec", "podSelector").Canonical());
        Assert.Equal(["Ingress"], profiler.Path("spec").Strings("policyTypes"));
        var rules = IngressRules(profiler);
        Assert.Equal(["11111", "11112", "8090"], rules.Keys.Order(StringComparer.Ordinal));
        Assert.Equal([ownPods], rules["11111"]);
        Assert.Equal([ownPods], rules["11112"]); // the forwarding port: other nodes' gateways only
        Assert.Equal(
            [ownPods, "{namespaceSelector:{matchLabels:{kubernetes.io/metadata.name:kubediag}}}", "{namespaceSelector:{matchLabels:{kubernetes.io/metadata.name:ingress-nginx}}}"],
            rules["8090"]);

        var redis = NetworkPolicy(manifests, $"{FullName}-redis");
        var redisPod = Assert.Single(manifests, m => m.Scalar("kind") == "Deployment").Path("spec", "template", "metadata", "labels");
        Assert.Equal("{matchLabels:" + redisPod.Canonical() + "}", redis.Path("spec", "podSelector").Canonical());
        Assert.Equal(["Ingress"], redis.Path("spec").Strings("policyTypes"));
        var redisRules = IngressRules(redis);
        Assert.Equal(["6379"], redisRules.Keys);
        Assert.Equal([ownPods], redisRules["6379"]);

        // The DaemonSet's selector does not pick the Redis pod (the silo policy would cover it otherwise).
        Assert.False(profiler.Path("spec", "podSelector", "matchLabels").Children
            .All(l => redisPod.Children.TryGetValue(l.Key, out var v) && v.Canonical() == l.Value.Canonical()));
    }

    [Fact]
    public async Task Http_from_anywhere_opens_only_the_http_port_and_custom_peers_are_passed_through()
    {
        var anywhere = await RenderAsync(EverythingOn);
        var rules = IngressRules(NetworkPolicy(anywhere, FullName));
        Assert.Equal([OwnPodsPeer(anywhere)], rules["11111"]);
        Assert.Equal([OwnPodsPeer(anywhere)], rules["11112"]);
        Assert.Equal(["<anywhere>"], rules["8090"]);
        Assert.DoesNotContain(anywhere, m => m.Scalar("kind") == "NetworkPolicy" && m.Path("metadata").Scalar("name") == $"{FullName}-redis");

        var listed = await RenderAsync(EverythingOn, set: ["networkPolicy.httpFromAnywhere=false"]);
        var http = IngressRules(NetworkPolicy(listed, FullName))["8090"];
        Assert.Equal(
            [OwnPodsPeer(listed),
             "{namespaceSelector:{matchLabels:{kubernetes.io/metadata.name:ingress}},podSelector:{matchLabels:{app.kubernetes.io/name:ingress-controller}}}",
             "{ipBlock:{cidr:10.0.0.0/16}}"],
            http);

        var none = await RenderAsync(values: null, set: ["networkPolicy.enabled=false"]);
        Assert.DoesNotContain(none, m => m.Scalar("kind") == "NetworkPolicy");
    }

    [Fact]
    public async Task The_in_chart_redis_requires_a_generated_password_that_is_on_no_command_line()
    {
        var manifests = await RenderAsync(values: null);
        var secret = manifests.SecretNamed($"{FullName}-redis").Path("stringData");
        var password = secret.Scalar("password");

        Assert.Matches("^[A-Za-z0-9]{32}$", password);
        Assert.Equal($"{FullName}-redis:6379,password={password}", secret.Scalar("connection-string"));
        Assert.Equal(
            [$"requirepass {password}", "save \"\"", "appendonly no", "protected-mode yes"],
            secret.Scalar("redis.conf").Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var redisRef = manifests.Profiler().Env()["Cluster__Redis"].Path("valueFrom", "secretKeyRef");
        Assert.Equal($"{FullName}-redis", redisRef.Scalar("name"));
        Assert.Equal("connection-string", redisRef.Scalar("key"));

        var deployment = Assert.Single(manifests, m => m.Scalar("kind") == "Deployment");
        var pod = deployment.Path("spec", "template", "spec");
        var redis = pod.Mappings("containers").Single();
        Assert.Equal(["redis-server", "/etc/redis/redis.conf"], redis.Strings("command"));
        Assert.False(redis.Has("args"));
        Assert.DoesNotContain(password, deployment.Canonical(), StringComparison.Ordinal);
        var config = Assert.Single(redis.Mappings("volumeMounts"), m => m.Scalar("mountPath") == "/etc/redis");
        Assert.Equal("true", config.Scalar("readOnly"));
        var configVolume = Assert.Single(pod.Mappings("volumes"), v => v.Scalar("name") == config.Scalar("name")).Path("secret");
        Assert.Equal($"{FullName}-redis", configVolume.Scalar("secretName"));
        Assert.Equal(["{key:redis.conf,path:redis.conf}"], configVolume.Mappings("items").Select(i => i.Canonical()));

        // Locked down like the profiler, and not root.
        var podSecurity = pod.Path("securityContext");
        Assert.Equal("RuntimeDefault", podSecurity.Path("seccompProfile").Scalar("type"));
        Assert.Equal("true", podSecurity.Scalar("runAsNonRoot"));
        Assert.Equal("999", podSecurity.Scalar("runAsUser"));
        Assert.Equal("999", podSecurity.Scalar("runAsGroup"));
        var security = redis.Path("securityContext");
        Assert.Equal("false", security.Scalar("allowPrivilegeEscalation"));
        Assert.Equal("true", security.Scalar("readOnlyRootFilesystem"));
        Assert.Equal(["ALL"], security.Path("capabilities").Strings("drop"));
        Assert.False(security.Path("capabilities").Has("add"));
        var data = Assert.Single(redis.Mappings("volumeMounts"), m => m.Scalar("mountPath") == "/data");
        Assert.True(Assert.Single(pod.Mappings("volumes"), v => v.Scalar("name") == data.Scalar("name")).Has("emptyDir"));
    }

    [Fact]
    public async Task An_external_redis_connection_string_is_passed_through_as_written()
    {
        var manifests = await RenderAsync(EverythingOn);
        var secret = manifests.SecretNamed($"{FullName}-redis").Path("stringData");

        Assert.Equal(["connection-string"], secret.Children.Keys.Select(k => k.Canonical()));
        Assert.Equal("redis.example:6380,password=secret,ssl=true", secret.Scalar("connection-string"));
    }

    [Fact]
    public async Task Silos_get_a_generated_ca_and_a_client_and_server_certificate_that_chains_to_it()
    {
        var manifests = await RenderAsync(values: null);
        var secret = manifests.SecretNamed($"{FullName}-cluster-tls");
        Assert.Equal("kubernetes.io/tls", secret.Scalar("type"));
        var data = secret.Path("data");
        Assert.Equal(["ca.crt", "tls.crt", "tls.key"], data.Children.Keys.Select(k => k.Canonical()).Order(StringComparer.Ordinal));

        using var leaf = X509Certificate2.CreateFromPem(HelmChart.Decode(data, "tls.crt"), HelmChart.Decode(data, "tls.key"));
        using var ca = X509Certificate2.CreateFromPem(HelmChart.Decode(data, "ca.crt"));
        Assert.True(leaf.HasPrivateKey);
        Assert.Equal(FullName, leaf.GetNameInfo(X509NameType.SimpleName, forIssuer: false));
        Assert.True(ca.Extensions.OfType<X509BasicConstraintsExtension>().Single().CertificateAuthority);
        Assert.True(leaf.NotAfter > DateTime.UtcNow.AddYears(9), $"valid until {leaf.NotAfter:O}");
        var usages = leaf.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages
            .Cast<System.Security.Cryptography.Oid>().Select(o => o.Value).ToList();
        Assert.Contains("1.3.6.1.5.5.7.3.1", usages); // serverAuth: a silo accepts connections
        Assert.Contains("1.3.6.1.5.5.7.3.2", usages); // clientAuth: and opens them

        Assert.True(ChainsTo(leaf, ca));
        // Another release's CA does not vouch for it (each render generates a new pair: no lookup here).
        var other = (await RenderAsync(values: null)).SecretNamed($"{FullName}-cluster-tls").Path("data");
        using var otherCa = X509Certificate2.CreateFromPem(HelmChart.Decode(other, "ca.crt"));
        Assert.False(ChainsTo(leaf, otherCa));

        var env = manifests.Profiler().Env();
        Assert.Equal($"{ClusterTlsPath}/tls.crt", env["Cluster__Tls__Certificate"].Scalar("value"));
        Assert.Equal($"{ClusterTlsPath}/tls.key", env["Cluster__Tls__Key"].Scalar("value"));
        Assert.Equal($"{ClusterTlsPath}/ca.crt", env["Cluster__Tls__CertificateAuthority"].Scalar("value"));
        Assert.Equal($"{FullName}-cluster-tls", ClusterTlsVolume(manifests).Path("secret").Scalar("secretName"));
    }

    [Fact]
    public async Task An_existing_certificate_secret_replaces_the_generated_one()
    {
        var manifests = await RenderAsync(values: null, set: ["clusterTls.existingSecret=site-certificates"]);

        Assert.DoesNotContain(manifests, m => m.Scalar("kind") == "Secret" && m.Scalar("type") == "kubernetes.io/tls");
        Assert.Equal("site-certificates", ClusterTlsVolume(manifests).Path("secret").Scalar("secretName"));
        Assert.Contains("Cluster__Tls__Certificate", manifests.Profiler().Env().Keys);

        var everythingOn = await RenderAsync(EverythingOn);
        Assert.DoesNotContain(everythingOn, m => m.Scalar("kind") == "Secret" && m.Scalar("type") == "kubernetes.io/tls");
        Assert.Equal("cfp-cluster-certificates", ClusterTlsVolume(everythingOn).Path("secret").Scalar("secretName"));
    }

    [Fact]
    public async Task Without_cluster_tls_nothing_points_at_certificates()
    {
        var manifests = await RenderAsync(values: null, set: ["clusterTls.enabled=false"]);

        Assert.DoesNotContain(manifests, m => m.Scalar("kind") == "Secret" && m.Scalar("type") == "kubernetes.io/tls");
        Assert.DoesNotContain(manifests.Profiler().Env().Keys, k => k.StartsWith("Cluster__Tls__", StringComparison.Ordinal));
        Assert.DoesNotContain(manifests.PodSpec().Mappings("volumes"), v => v.Scalar("name") == "cluster-tls");
        Assert.DoesNotContain(manifests.Profiler().Mappings("volumeMounts"), m => m.Scalar("name") == "cluster-tls");
    }

    [Fact]
    public async Task Existing_redis_and_admin_secrets_replace_the_generated_ones()
    {
        var manifests = await RenderAsync(values: null, set: ["redis.enabled=false", "redis.external.existingSecret=site-redis", "auth.existingSecret=site-admin"]);
        var env = manifests.Profiler().Env();

        Assert.DoesNotContain(manifests, m => m.Scalar("kind") == "Secret" && m.Path("metadata").Scalar("name") is $"{FullName}-redis" or $"{FullName}-auth");
        Assert.Equal("site-redis", env["Cluster__Redis"].Path("valueFrom", "secretKeyRef").Scalar("name"));
        Assert.Equal("site-admin", env["Auth__AdminToken"].Path("valueFrom", "secretKeyRef").Scalar("name"));
        Assert.DoesNotContain(manifests, m => m.Scalar("kind") == "Deployment");
        Assert.DoesNotContain(manifests, m => m.Scalar("kind") == "NetworkPolicy" && m.Path("metadata").Scalar("name") == $"{FullName}-redis");
    }

    [Fact]
    public async Task Each_release_gets_its_own_cluster_and_service_id()
    {
        // The last two differ only past the 63 characters a label value may have.
        var releases = new[]
        {
            ("cfp", "kubediag"), ("other", "kubediag"), ("cfp", "team-b"), ("a-release-name-of-fifty-three-characters-for-the-test", "a-namespace-name-long-enough-to-overflow"),
            ("payments-core-file-profiler-blue", "observability-platform-diagnostics"), ("payments-core-file-profiler-green", "observability-platform-diagnostics"),
        };
        var ids = new List<string>();
        foreach (var (release, ns) in releases)
        {
            var manifests = await RenderAsync(values: null, release: release, ns: ns);
            var env = manifests.Profiler().Env();
            var labels = manifests.OfKind("DaemonSet").Path("spec", "template", "metadata", "labels");
            var clusterId = env["Cluster__ClusterId"].Scalar("value");

            Assert.Equal(clusterId, env["Cluster__ServiceId"].Scalar("value"));
            Assert.Equal(clusterId, labels.Scalar("orleans/clusterId"));
            Assert.Equal(clusterId, labels.Scalar("orleans/serviceId"));
            Assert.True(clusterId.Length is > 0 and <= 63 && LabelValue.IsMatch(clusterId), $"'{clusterId}' is a label value");
            Assert.StartsWith($"{ns}-", clusterId, StringComparison.Ordinal);
            ids.Add(clusterId);
            // Services are DNS labels: 63 characters at most, whatever the release is called.
            Assert.All(manifests.Where(m => m.Scalar("kind") == "Service"), service => Assert.True(service.Path("metadata").Scalar("name").Length <= 63));
        }

        Assert.Equal("kubediag-cfp-core-file-profiler", ids[0]);
        Assert.Equal(ids.Count, ids.Distinct().Count());

        var given = await RenderAsync(EverythingOn); // orleans: {clusterId: c1, serviceId: s1}
        var givenEnv = given.Profiler().Env();
        var givenLabels = given.OfKind("DaemonSet").Path("spec", "template", "metadata", "labels");
        Assert.Equal(["c1", "s1"], new[] { givenEnv["Cluster__ClusterId"].Scalar("value"), givenEnv["Cluster__ServiceId"].Scalar("value") });
        Assert.Equal(["c1", "s1"], new[] { givenLabels.Scalar("orleans/clusterId"), givenLabels.Scalar("orleans/serviceId") });
    }

    [Theory]
    [InlineData(null)]
    [InlineData(EverythingOn)]
    public async Task Rbac_grants_nothing_beyond_pods_get_list_watch_patch_and_delete_when_enabled(string? values)
    {
        var manifests = await RenderAsync(values);
        Assert.DoesNotContain(manifests, m => m.Scalar("kind") is "ClusterRole" or "ClusterRoleBinding");
        var allowed = new HashSet<string> { "get", "list", "watch", "patch" };
        if (values is not null) allowed.Add("delete"); // rbac.deleteDefunctPods: true

        var rules = manifests.OfKind("Role").Mappings("rules").ToList();
        foreach (var rule in rules)
        {
            Assert.Equal([""], rule.Strings("apiGroups"));
            Assert.Equal(["pods"], rule.Strings("resources"));
            Assert.Subset(allowed, rule.Strings("verbs").ToHashSet());
        }

        Assert.Equal(values is not null, rules.SelectMany(r => r.Strings("verbs")).Contains("delete"));
    }

    [Fact]
    public void The_dockerfile_builds_in_the_sdk_and_runs_the_silo_with_gdb_and_the_collector()
    {
        var lines = File.ReadAllLines(Repository.PathOf("Dockerfile")).Select(l => l.Trim()).ToList();
        var stages = lines.Where(l => l.StartsWith("FROM ", StringComparison.Ordinal)).ToList();

        Assert.Equal(2, stages.Count);
        Assert.Matches(@"^FROM \S+/dotnet/sdk:\S+ AS build$", stages[0]);
        Assert.Matches(@"^FROM \S+/dotnet/aspnet:\S+ AS runtime$", stages[1]);
        Assert.Contains(lines, l => l.Contains("dotnet publish src/CoreFileProfiler.Collector", StringComparison.Ordinal));
        Assert.Contains("COPY --from=build /out/collector/core-collector /app/core-collector", lines);
        Assert.Contains(lines, l => l.Contains("install", StringComparison.Ordinal) && l.Contains(" gdb ", StringComparison.Ordinal) && l.Contains("debuginfod", StringComparison.Ordinal));
        Assert.Equal("ENTRYPOINT [\"dotnet\", \"/app/CoreFileProfiler.Silo.dll\"]", lines.Last(l => l.Length > 0));
        Assert.Contains(lines, l => l.StartsWith("HEALTHCHECK", StringComparison.Ordinal) && l.Contains("/healthz", StringComparison.Ordinal));
        var user = lines.IndexOf("USER root");
        Assert.True(user > 0 && lines[user - 1].StartsWith('#'), "running as root says why");
    }

    private static async Task<List<YamlMappingNode>> RenderAsync(string? values, string[]? set = null, string release = "cfp", string ns = "kubediag") =>
        (await HelmChart.RenderAsync(values, set, release, ns)).Manifests;

    private static Task<(List<YamlMappingNode> Manifests, string Text)> RenderWithTextAsync(
        string? values, string[]? set = null, string release = "cfp", string ns = "kubediag") => HelmChart.RenderAsync(values, set, release, ns);

    private static YamlMappingNode ClusterTlsVolume(List<YamlMappingNode> manifests)
    {
        var mount = Assert.Single(manifests.Profiler().Mappings("volumeMounts"), m => m.Scalar("name") == "cluster-tls");
        Assert.Equal(ClusterTlsPath, mount.Scalar("mountPath"));
        Assert.Equal("true", mount.Scalar("readOnly"));
        return Assert.Single(manifests.PodSpec().Mappings("volumes"), v => v.Scalar("name") == "cluster-tls");
    }

    private static bool ChainsTo(X509Certificate2 leaf, X509Certificate2 ca)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(leaf);
    }

    private static YamlMappingNode NetworkPolicy(List<YamlMappingNode> manifests, string name) =>
        Assert.Single(manifests, m => m.Scalar("kind") == "NetworkPolicy" && m.Path("metadata").Scalar("name") == name);

    private static string DaemonSetSelector(List<YamlMappingNode> manifests) =>
        manifests.OfKind("DaemonSet").Path("spec", "selector").Canonical();

    /// <summary>The peer that stands for the DaemonSet's own pods: a podSelector of its selector labels, in its namespace.</summary>
    private static string OwnPodsPeer(List<YamlMappingNode> manifests) => "{podSelector:" + DaemonSetSelector(manifests) + "}";

    /// <summary>
    /// For each port a policy opens, the peers it admits ("&lt;anywhere&gt;" for a rule without
    /// from). A rule without ports would open every port: that fails here.
    /// </summary>
    private static Dictionary<string, List<string>> IngressRules(YamlMappingNode policy)
    {
        var rules = new Dictionary<string, List<string>>();
        foreach (var rule in policy.Path("spec").Mappings("ingress"))
        {
            var ports = rule.Mappings("ports").ToList();
            Assert.NotEmpty(ports);
            var from = rule.Mappings("from").Select(p => p.Canonical()).ToList();
            foreach (var port in ports)
            {
                Assert.Equal("TCP", port.Scalar("protocol"));
                var peers = rules.TryGetValue(port.Scalar("port"), out var known) ? known : rules[port.Scalar("port")] = [];
                peers.AddRange(from.Count == 0 ? ["<anywhere>"] : from);
            }
        }

        return rules;
    }
}
