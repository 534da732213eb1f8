using CoreFileProfiler.IntegrationTests.Support;
using YamlDotNet.RepresentationModel;

namespace CoreFileProfiler.IntegrationTests;

/// <summary>
/// The Helm chart, linted and rendered by a real helm (test.sh puts one in artifacts/tools), and
/// the Dockerfile, checked for what can be checked without a Docker daemon.
/// </summary>
public sealed class ShippingTests
{
    private const string Chart = "helm/core-file-profiler";
    private const string EverythingOn = "helm/everything-on.yaml";
    private static readonly string Helm = Repository.PathOf("artifacts/tools/helm");

    [Theory]
    [InlineData(null)]
    [InlineData(EverythingOn)]
    public async Task Helm_lints_the_chart(string? values)
    {
        var (exitCode, output) = await RunHelmAsync(["lint", Chart, .. ValuesArguments(values)]);

        Assert.True(exitCode == 0, output);
        Assert.Contains("0 chart(s) failed", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_default_daemonset_runs_on_the_hosts_pid_namespace_with_ptrace_only()
    {
        var manifests = await RenderAsync(values: null);
        var daemonSet = Single(manifests, "DaemonSet");
        var pod = daemonSet.Path("spec", "template", "spec");
        var container = (YamlMappingNode)((YamlSequenceNode)pod["containers"])[0];

        Assert.Equal("true", pod.Scalar("hostPID"));
        Assert.Equal("false", container.Path("securityContext").Scalar("privileged"));
        Assert.Equal(["SYS_PTRACE"], container.Path("securityContext", "capabilities").Strings("add"));
        Assert.False(pod.Children.ContainsKey("initContainers")); // no core_pattern change unless asked

        var env = ((YamlSequenceNode)container["env"]).Cast<YamlMappingNode>().ToDictionary(e => e.Scalar("name"));
        Assert.Equal("spec.nodeName", env["NODE_NAME"].Path("valueFrom", "fieldRef").Scalar("fieldPath"));
        Assert.Equal("metadata.name", env["POD_NAME"].Path("valueFrom", "fieldRef").Scalar("fieldPath"));
        Assert.Equal("metadata.namespace", env["POD_NAMESPACE"].Path("valueFrom", "fieldRef").Scalar("fieldPath"));
        Assert.Equal("status.podIP", env["POD_IP"].Path("valueFrom", "fieldRef").Scalar("fieldPath"));
        Assert.Equal("Redis", env["Cluster__Provider"].Scalar("value"));
        Assert.Equal("admin-token", env["Auth__AdminToken"].Path("valueFrom", "secretKeyRef").Scalar("key"));

        Assert.Equal("/healthz", container.Path("livenessProbe", "httpGet").Scalar("path"));
        Assert.Equal("/readyz", container.Path("readinessProbe", "httpGet").Scalar("path"));
        Assert.Equal(
            ["/var/lib/kubediag/corefile", "/var/log/containers", "/var/log/pods"],
            ((YamlSequenceNode)container["volumeMounts"]).Cast<YamlMappingNode>().Select(m => m.Scalar("mountPath")));
        Assert.Equal(
            ["/var/lib/kubediag/corefile", "/var/log/containers", "/var/log/pods"],
            ((YamlSequenceNode)pod["volumes"]).Cast<YamlMappingNode>().Select(v => v.Path("hostPath").Scalar("path")));

        var gateways = Assert.Single(manifests, m => m.Scalar("kind") == "Service" && m.Path("metadata").Scalar("name") == "cfp-core-file-profiler");
        Assert.Equal("http", ((YamlMappingNode)((YamlSequenceNode)gateways.Path("spec")["ports"])[0]).Scalar("targetPort"));
        Assert.Single(manifests, m => m.Scalar("kind") == "Deployment" && m.Path("metadata").Scalar("name") == "cfp-core-file-profiler-redis");
        Assert.DoesNotContain(manifests, m => m.Scalar("kind") is "Operation" or "OperationSet");
    }

    [Fact]
    public async Task With_every_option_on_the_chart_mounts_the_docker_socket_installs_the_collector_and_registers_with_kubediag()
    {
        var manifests = await RenderAsync(EverythingOn);
        var pod = Single(manifests, "DaemonSet").Path("spec", "template", "spec");
        var container = (YamlMappingNode)((YamlSequenceNode)pod["containers"])[0];
        var install = (YamlMappingNode)((YamlSequenceNode)pod["initContainers"])[0];

        Assert.Equal("true", container.Path("securityContext").Scalar("privileged")); // only because the values ask
        Assert.Equal("true", install.Path("securityContext").Scalar("privileged"));
        Assert.Contains("core-collector install", string.Join(' ', install.Strings("command")), StringComparison.Ordinal);
        Assert.Contains("/var/run/docker.sock", ((YamlSequenceNode)container["volumeMounts"]).Cast<YamlMappingNode>().Select(m => m.Scalar("mountPath")));
        Assert.DoesNotContain(manifests, m => m.Scalar("kind") == "Deployment"); // external Redis
        var operation = Single(manifests, "Operation").Path("spec", "processor");
        Assert.Equal("/processor/coreFileProfiler", operation.Path("httpServer").Scalar("path"));
        Assert.Equal("90", operation.Scalar("timeoutSeconds"));
        Single(manifests, "OperationSet");
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

        var rules = ((YamlSequenceNode)Single(manifests, "Role")["rules"]).Cast<YamlMappingNode>().ToList();
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

    private static IEnumerable<string> ValuesArguments(string? values) => values is null ? [] : ["-f", values];

    private static async Task<(int ExitCode, string Output)> RunHelmAsync(IEnumerable<string> arguments)
    {
        Assert.True(File.Exists(Helm), $"{Helm} is missing: ./test.sh puts a helm there.");
        return await Command.RunAsync(Helm, arguments, Repository.Root);
    }

    private static async Task<List<YamlMappingNode>> RenderAsync(string? values)
    {
        var (exitCode, output) = await RunHelmAsync(["template", "cfp", Chart, "--namespace", "kubediag", .. ValuesArguments(values)]);
        Assert.True(exitCode == 0, output);
        var stream = new YamlStream();
        stream.Load(new StringReader(output));
        return stream.Documents.Select(d => d.RootNode).OfType<YamlMappingNode>().ToList();
    }

    private static YamlMappingNode Single(List<YamlMappingNode> manifests, string kind) =>
        Assert.Single(manifests, m => m.Scalar("kind") == kind);
}
