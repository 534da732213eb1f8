using System.Text.RegularExpressions;

namespace CoreFileProfiler;

/// <summary>Node names as Kubernetes and host names allow them; they appear in grain keys and URLs.</summary>
public static partial class NodeName
{
    public static bool IsValid(string? name) => name is { Length: > 0 and <= 253 } && Pattern().IsMatch(name);

    /// <summary>The node part of a node-placed grain key (<c>node</c> or <c>node/…</c>).</summary>
    public static string OfGrainKey(string key)
    {
        var slash = key.IndexOf('/');
        return slash < 0 ? key : key[..slash];
    }

    // \z, not $: .NET's $ also matches before a final '\n'.
    [GeneratedRegex(@"^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?\z")]
    private static partial Regex Pattern();
}
