using System.Text;
using YamlDotNet.RepresentationModel;

namespace CoreFileProfiler.IntegrationTests.Support;

/// <summary>
/// The repository's chart, rendered by a real helm (test.sh puts one in artifacts/tools), and
/// ways to find things in what it renders.
/// </summary>
public static class HelmChart
{
    public const string Chart = "helm/core-file-profiler";
    public const string EverythingOn = "helm/everything-on.yaml";

    private static readonly string Helm = Repository.PathOf("artifacts/tools/helm");

    public static async Task<(int ExitCode, string Output)> RunHelmAsync(IEnumerable<string> arguments)
    {
        Assert.True(File.Exists(Helm), $"{Helm} is missing: ./test.sh puts a helm there.");
        return await Command.RunAsync(Helm, arguments, Repository.Root);
    }

    /// <summary><c>helm template</c> of release <paramref name="release"/>: the manifests, and the text they came from.</summary>
    public static async Task<(List<YamlMappingNode> Manifests, string Text)> RenderAsync(
        string? values = null, IEnumerable<string>? set = null, string release = "cfp", string ns = "kubediag")
    {
        var (exitCode, output) = await RunHelmAsync(
            ["template", release, Chart, "--namespace", ns, .. ValuesArguments(values), .. (set ?? []).SelectMany(s => new[] { "--set", s })]);
        Assert.True(exitCode == 0, output);
        var stream = new YamlStream();
        stream.Load(new StringReader(output));
        return (stream.Documents.Select(d => d.RootNode).OfType<YamlMappingNode>().ToList(), output);
    }

    public static IEnumerable<string> ValuesArguments(string? values) => values is null ? [] : ["-f", values];

    public static YamlMappingNode OfKind(this List<YamlMappingNode> manifests, string kind) =>
        Assert.Single(manifests, m => m.Scalar("kind") == kind);

    public static YamlMappingNode PodSpec(this List<YamlMappingNode> manifests) =>
        manifests.OfKind("DaemonSet").Path("spec", "template", "spec");

    public static YamlMappingNode Profiler(this List<YamlMappingNode> manifests) =>
        Assert.Single(manifests.PodSpec().Mappings("containers"), c => c.Scalar("name") == "profiler");

    public static Dictionary<string, YamlMappingNode> Env(this YamlMappingNode container) =>
        container.Mappings("env").ToDictionary(e => e.Scalar("name"));

    public static YamlMappingNode SecretNamed(this List<YamlMappingNode> manifests, string name) =>
        Assert.Single(manifests, m => m.Scalar("kind") == "Secret" && m.Path("metadata").Scalar("name") == name);

    /// <summary>A key of a rendered Secret, from <c>stringData</c> or base64 <c>data</c>, as a pod would see it.</summary>
    public static string SecretValue(this List<YamlMappingNode> manifests, string name, string key)
    {
        var secret = manifests.SecretNamed(name);
        if (secret.Has("stringData") && secret.Path("stringData").Has(key)) return secret.Path("stringData").Scalar(key);
        Assert.True(secret.Has("data") && secret.Path("data").Has(key), $"Secret {name} has no key {key}");
        return Decode(secret.Path("data"), key);
    }

    public static string Decode(YamlMappingNode data, string key) => Encoding.UTF8.GetString(Convert.FromBase64String(data.Scalar(key)));
}
