using System.Globalization;
using System.Text.Json;
using YamlDotNet.RepresentationModel;

namespace CoreFileProfiler.IntegrationTests.Support;

/// <summary>
/// Starts the profiler container of a rendered DaemonSet on the private dockerd the way a kubelet
/// would: the chart's environment (downward API and Secrets resolved), its volumes (hostPaths
/// mapped to the test's directories, Secrets written out with their modes, emptyDirs as tmpfs)
/// and its security context (capabilities, no-new-privileges, read-only root, the runtime's
/// default seccomp profile, the host's pid namespace, the memory limit). Anything in the pod spec
/// this does not know how to honour fails the test, so the chart cannot grow a setting that goes
/// untested here.
/// </summary>
/// <remarks>
/// Stand-ins, for what cannot be had here: the image is this machine's /usr, /lib and /etc mounted
/// read-only into the busybox image, with the built silo at /app and the Dockerfile's ENTRYPOINT;
/// the pod network is the host's (loopback only), so each pod gets its own ports through the
/// chart's values; cluster DNS names are rewritten to the loopback addresses of what the test
/// started in their place.
/// </remarks>
public sealed record ChartPod(
    string Node,
    string PodName,
    string PodNamespace,
    string PodIp,
    IReadOnlyDictionary<string, string> HostPaths,
    IReadOnlyDictionary<string, string> ServiceAddresses)
{
    private static readonly string SiloDirectory = Path.GetDirectoryName(typeof(ChartPod).Assembly
        .GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
        .Cast<System.Reflection.AssemblyMetadataAttribute>().Single(a => a.Key == "SiloAssembly").Value!)!;

    private static readonly string[] ImageSystem = ["/usr", "/lib", "/lib64", "/etc"];
    private static readonly string[] SecretSections = ["data", "stringData"];

    /// <summary>The container's environment, resolved as the kubelet resolves it.</summary>
    public Dictionary<string, string> Environment(List<YamlMappingNode> manifests, List<YamlMappingNode> secrets)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var variable in manifests.Profiler().Mappings("env"))
        {
            var name = variable.Scalar("name");
            environment[name] = variable.Has("valueFrom") ? ValueFrom(variable.Path("valueFrom"), secrets) : variable.Scalar("value");
        }

        return environment;
    }

    /// <summary>The <c>docker run</c> arguments for the profiler container.</summary>
    public List<string> RunArguments(List<YamlMappingNode> manifests, List<YamlMappingNode> secrets, string workDirectory)
    {
        var pod = manifests.PodSpec();
        var container = manifests.Profiler();
        List<string> arguments = ["run", "-d", "--name", PodName, "--network", "host"];

        foreach (var (key, value) in pod.Children.Select(c => (((YamlScalarNode)c.Key).Value!, c.Value)))
        {
            switch (key)
            {
                case "hostPID" when ((YamlScalarNode)value).Value == "true":
                    arguments.AddRange(["--pid", "host"]);
                    break;
                case "securityContext":
                    arguments.AddRange(PodSecurity((YamlMappingNode)value));
                    break;
                case "hostPID" or "serviceAccountName" or "automountServiceAccountToken" or "tolerations" or "nodeSelector" or "containers" or "volumes":
                    break; // scheduling and identity (no API server here), or handled below
                default:
                    throw new NotSupportedException($"The pod spec's '{key}' is not honoured by ChartPod: teach it, so the test still starts the pod as the chart asks.");
            }
        }

        foreach (var (key, value) in container.Children.Select(c => (((YamlScalarNode)c.Key).Value!, c.Value)))
        {
            switch (key)
            {
                case "securityContext":
                    arguments.AddRange(ContainerSecurity((YamlMappingNode)value));
                    break;
                case "resources":
                    var limits = ((YamlMappingNode)value).Has("limits") ? ((YamlMappingNode)value).Path("limits") : null;
                    if (limits?.Scalar("memory") is { Length: > 0 } memory) arguments.AddRange(["--memory", Quantity(memory)]);
                    break;
                case "name" or "image" or "imagePullPolicy" or "env" or "ports" or "volumeMounts" or "startupProbe" or "livenessProbe" or "readinessProbe":
                    break; // the image is emulated, ports are the host's, probes are the test's own waits
                default:
                    throw new NotSupportedException($"The profiler container's '{key}' is not honoured by ChartPod.");
            }
        }

        foreach (var (name, value) in Environment(manifests, secrets)) arguments.AddRange(["-e", $"{name}={value}"]);
        arguments.AddRange(Volumes(pod, container, secrets, Path.Join(workDirectory, PodName)));

        // The image: this machine's system read-only, the silo where the Dockerfile puts it.
        foreach (var system in ImageSystem.Where(Directory.Exists)) arguments.AddRange(["-v", $"{system}:{system}:ro"]);
        arguments.AddRange(["-v", $"{SiloDirectory}:/app:ro", "-w", "/app", "-e", "ASPNETCORE_ENVIRONMENT=Production"]);
        arguments.Add(DockerEngine.Image);
        arguments.AddRange(Entrypoint());
        return arguments;
    }

    private string ValueFrom(YamlMappingNode valueFrom, List<YamlMappingNode> secrets)
    {
        if (valueFrom.Has("fieldRef"))
        {
            return valueFrom.Path("fieldRef").Scalar("fieldPath") switch
            {
                "spec.nodeName" => Node,
                "metadata.name" => PodName,
                "metadata.namespace" => PodNamespace,
                "status.podIP" => PodIp,
                var field => throw new NotSupportedException($"fieldRef {field}"),
            };
        }

        var reference = valueFrom.Path("secretKeyRef");
        return ServiceAddresses.Aggregate(
            secrets.SecretValue(reference.Scalar("name"), reference.Scalar("key")),
            (value, service) => value.Replace(service.Key, service.Value, StringComparison.Ordinal));
    }

    private static IEnumerable<string> PodSecurity(YamlMappingNode security)
    {
        foreach (var (key, value) in security.Children.Select(c => (((YamlScalarNode)c.Key).Value!, c.Value)))
        {
            if (key != "seccompProfile") throw new NotSupportedException($"pod securityContext.{key}");
            var type = ((YamlMappingNode)value).Scalar("type");
            // RuntimeDefault is what dockerd applies unless told otherwise: its default seccomp profile.
            if (type != "RuntimeDefault") throw new NotSupportedException($"seccompProfile {type}");
        }

        return [];
    }

    private static IEnumerable<string> ContainerSecurity(YamlMappingNode security)
    {
        foreach (var (key, value) in security.Children.Select(c => (((YamlScalarNode)c.Key).Value!, c.Value)))
        {
            var scalar = (value as YamlScalarNode)?.Value;
            switch (key)
            {
                case "privileged" when scalar == "true": yield return "--privileged"; break;
                case "privileged": break;
                case "allowPrivilegeEscalation" when scalar == "false": yield return "--security-opt"; yield return "no-new-privileges"; break;
                case "readOnlyRootFilesystem" when scalar == "true": yield return "--read-only"; break;
                case "capabilities":
                    var capabilities = (YamlMappingNode)value;
                    foreach (var dropped in capabilities.Has("drop") ? capabilities.Strings("drop") : []) { yield return "--cap-drop"; yield return dropped; }
                    foreach (var added in capabilities.Has("add") ? capabilities.Strings("add") : []) { yield return "--cap-add"; yield return added; }
                    break;
                default: throw new NotSupportedException($"container securityContext.{key}: {scalar}");
            }
        }
    }

    private IEnumerable<string> Volumes(YamlMappingNode pod, YamlMappingNode container, List<YamlMappingNode> secrets, string podDirectory)
    {
        var volumes = pod.Mappings("volumes").ToDictionary(v => v.Scalar("name"));
        foreach (var mount in container.Mappings("volumeMounts"))
        {
            var volume = volumes[mount.Scalar("name")];
            var target = mount.Scalar("mountPath");
            var readOnly = mount.Scalar("readOnly") == "true" ? ":ro" : "";
            if (volume.Has("emptyDir"))
            {
                yield return "--tmpfs";
                yield return $"{target}:exec";
            }
            else if (volume.Has("hostPath"))
            {
                var hostPath = volume.Path("hostPath").Scalar("path");
                var source = HostPaths.TryGetValue(hostPath, out var mapped) ? mapped : throw new NotSupportedException($"No test directory stands for hostPath {hostPath}");
                if (volume.Path("hostPath").Scalar("type") == "DirectoryOrCreate") Directory.CreateDirectory(source);
                yield return "-v";
                yield return $"{source}:{target}{readOnly}";
            }
            else if (volume.Has("secret"))
            {
                yield return "-v";
                yield return $"{WriteSecret(volume.Path("secret"), secrets, Path.Join(podDirectory, volume.Scalar("name")))}:{target}{readOnly}";
            }
            else if (volume.Has("projected"))
            {
                yield return "-v";
                yield return $"{WriteProjected(volume.Path("projected"), Path.Join(podDirectory, volume.Scalar("name")))}:{target}{readOnly}";
            }
            else
            {
                throw new NotSupportedException($"volume {volume.Scalar("name")}");
            }
        }
    }

    /// <summary>A Secret volume as the kubelet lays it out: a file per key (or per listed item), owned by root, with the volume's mode.</summary>
    private static string WriteSecret(YamlMappingNode volume, List<YamlMappingNode> secrets, string directory)
    {
        Directory.CreateDirectory(directory);
        var name = volume.Scalar("secretName");
        var secret = secrets.SecretNamed(name);
        var keys = volume.Has("items")
            ? volume.Mappings("items").Select(i => (i.Scalar("key"), i.Scalar("path")))
            : SecretSections.Where(secret.Has).SelectMany(k => secret.Path(k).Children.Keys).Select(k => (((YamlScalarNode)k).Value!, ((YamlScalarNode)k).Value!));
        var mode = Mode(volume);
        foreach (var (key, path) in keys)
        {
            var file = Path.Join(directory, path);
            File.WriteAllText(file, secrets.SecretValue(name, key));
            File.SetUnixFileMode(file, mode);
        }

        return directory;
    }

    /// <summary>
    /// A projected volume as the kubelet writes it, with the volume's mode. With no API server the
    /// service account token and the cluster's CA are stand-ins (fake contents, real names and modes).
    /// </summary>
    private string WriteProjected(YamlMappingNode volume, string directory)
    {
        Directory.CreateDirectory(directory);
        var mode = Mode(volume);
        foreach (var source in volume.Mappings("sources"))
        {
            var files = source.Has("serviceAccountToken") ? [(source.Path("serviceAccountToken").Scalar("path"), "fake-service-account-token")]
                : source.Has("configMap") ? source.Path("configMap").Mappings("items").Select(i => (i.Scalar("path"), $"fake {i.Scalar("key")}"))
                : source.Has("downwardAPI") ? source.Path("downwardAPI").Mappings("items").Select(i => (i.Scalar("path"), ValueFrom(i, [])))
                : throw new NotSupportedException($"projected source {source.Canonical()}");
            foreach (var (path, content) in files)
            {
                var file = Path.Join(directory, path);
                File.WriteAllText(file, content);
                File.SetUnixFileMode(file, mode);
            }
        }

        return directory;
    }

    private static UnixFileMode Mode(YamlMappingNode volume) => volume.Scalar("defaultMode") is { Length: > 0 } given
        ? (UnixFileMode)(given.StartsWith('0') ? Convert.ToInt32(given, 8) : int.Parse(given, CultureInfo.InvariantCulture))
        : (UnixFileMode)Convert.ToInt32("644", 8);

    /// <summary>The Dockerfile's ENTRYPOINT, as the image would run it.</summary>
    private static string[] Entrypoint()
    {
        var line = File.ReadLines(Repository.PathOf("Dockerfile")).Last(l => l.StartsWith("ENTRYPOINT ", StringComparison.Ordinal));
        return JsonSerializer.Deserialize<string[]>(line["ENTRYPOINT ".Length..])!;
    }

    /// <summary>A Kubernetes memory quantity in docker's terms (2Gi → 2g).</summary>
    private static string Quantity(string quantity) =>
        quantity.EndsWith("Gi", StringComparison.Ordinal) ? quantity[..^2] + "g"
        : quantity.EndsWith("Mi", StringComparison.Ordinal) ? quantity[..^2] + "m"
        : throw new NotSupportedException($"memory quantity {quantity}");
}
