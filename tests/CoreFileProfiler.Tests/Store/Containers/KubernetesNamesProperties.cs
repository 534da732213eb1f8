using CoreFileProfiler.Store.Containers;
using CsCheck;

namespace CoreFileProfiler.Tests.Store.Containers;

/// <summary>
/// Names from labels, log links and requests become directories of the core store. Checked
/// against Kubernetes' rules written out without a regex, over names made of the characters
/// that matter (separators, dots, dashes, upper case, newlines).
/// </summary>
public sealed class KubernetesNamesProperties
{
    private static readonly Gen<string> Name = Gen.Char["ab0-.\n_/A"].Array[0, 70].Select(c => new string(c));

    // Kubernetes' IsDNS1123Label and IsDNS1123Subdomain: a subdomain's parts have a label's shape, not its length limit.
    private static bool HasLabelShape(string s) =>
        s.Length > 0 && s.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-') && s[0] != '-' && s[^1] != '-';

    private static bool IsLabelByHand(string s) => s.Length <= 63 && HasLabelShape(s);

    private static bool IsSubdomainByHand(string s) => s.Length <= 253 && s.Split('.').All(HasLabelShape);

    [Fact]
    public void Labels_are_exactly_what_kubernetes_allows() =>
        Name.Sample(name => Assert.Equal(IsLabelByHand(name), KubernetesNames.IsLabel(name)), iter: 20_000);

    [Fact]
    public void Subdomains_are_exactly_what_kubernetes_allows() =>
        Name.Sample(name => Assert.Equal(IsSubdomainByHand(name), KubernetesNames.IsSubdomain(name)), iter: 20_000);

    [Theory]
    [InlineData("web\n")]
    [InlineData("web-1.shop\n")]
    [InlineData("default\n")]
    public void A_trailing_newline_never_passes(string name)
    {
        Assert.False(KubernetesNames.IsLabel(name));
        Assert.False(KubernetesNames.IsSubdomain(name));
        Assert.False(NodeName.IsValid(name));
        Assert.True(NodeName.IsValid(name.TrimEnd('\n')));
    }
}
