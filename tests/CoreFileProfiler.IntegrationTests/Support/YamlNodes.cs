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

    public static bool Has(this YamlMappingNode node, string key) => node.Children.ContainsKey(key);

    /// <summary>The mappings of a sequence (containers, env, volumes, rules…); none when the key is absent.</summary>
    public static IEnumerable<YamlMappingNode> Mappings(this YamlMappingNode node, string key) =>
        node.Children.TryGetValue(key, out var value) ? ((YamlSequenceNode)value).Cast<YamlMappingNode>() : [];

    /// <summary>One line for a node with its mapping keys sorted, to compare selectors and peers whatever their order.</summary>
    public static string Canonical(this YamlNode node) => node switch
    {
        YamlScalarNode scalar => scalar.Value ?? "",
        YamlSequenceNode sequence => "[" + string.Join(",", sequence.Select(Canonical)) + "]",
        YamlMappingNode mapping => "{" + string.Join(",", mapping.Children
            .Select(c => Canonical(c.Key) + ":" + Canonical(c.Value)).Order(StringComparer.Ordinal)) + "}",
        _ => throw new ArgumentException($"Unexpected node {node.NodeType}"),
    };
}
