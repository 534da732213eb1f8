using System.Text.RegularExpressions;

namespace CoreFileProfiler.Store.Containers;

/// <summary>
/// Kubernetes' own rules for namespace, pod and container names. Names become directories of the
/// core store, so anything else (a '/', "..", upper case, a trailing newline) is refused before it
/// reaches a path. The patterns end in <c>\z</c>: .NET's <c>$</c> also matches before a final <c>\n</c>.
/// </summary>
public static partial class KubernetesNames
{
    /// <summary>Namespaces and containers are DNS-1123 labels.</summary>
    public static bool IsLabel(string? name) => name is { Length: > 0 and <= 63 } && Label().IsMatch(name);

    /// <summary>Pods are DNS-1123 subdomains.</summary>
    public static bool IsSubdomain(string? name) => name is { Length: > 0 and <= 253 } && Subdomain().IsMatch(name);

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?\z")]
    private static partial Regex Label();

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\z")]
    private static partial Regex Subdomain();
}
