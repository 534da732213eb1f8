using YamlDotNet.RepresentationModel;

namespace CoreFileProfiler.IntegrationTests.Support;

/// <summary>Reading rendered Kubernetes manifests.</summary>
public static class YamlNodes
{
    public static YamlMappingNode Path(this YamlMappingNode node, params string[] keys) =>
        keys.Aggregate(node, (current, key) => (YamlMappingNode)current[key]);

    public static string Scalar(this YamlMappingNode node, string key) =>
        node.Children.TryGetValue(key, out var value) ? ((YamlScalarNode)value).Value ?? "" : "";

    public static IEnumerable<string> Strings(this YamlMappingNode node, string key) =>
        ((YamlSequenceNode)node[key]).Cast<YamlScalarNode>().Select(s => s.Value ?? "");
}
