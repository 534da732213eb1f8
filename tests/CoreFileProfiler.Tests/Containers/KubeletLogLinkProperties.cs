using CoreFileProfiler.Node;
using CoreFileProfiler.Node.Containers;
using CsCheck;

namespace CoreFileProfiler.Tests.Containers;

/// <summary>
/// <c>/var/log/containers</c> holds whatever files are there: a name that is not the kubelet's
/// <c>&lt;pod&gt;_&lt;namespace&gt;_&lt;container&gt;-&lt;id&gt;.log</c> with valid Kubernetes names is ignored, never an
/// exception and never a name that could leave the core store.
/// </summary>
public sealed class KubeletLogLinkProperties
{
    private static readonly Gen<string> Id = Gen.Char["0123456789abcdef"].Array[64].Select(c => new string(c));
    private static readonly Gen<string> Part = Gen.Char["ab0-._/\nA"].Array[0, 20].Select(c => new string(c));

    /// <summary>Names shaped like log links, with hostile parts, ids and endings.</summary>
    private static readonly Gen<string> LinkLike = Gen.Select(Part.Array[0, 5], Gen.OneOf(Id, Part), Gen.OneOf(".log", ".log\n", ".txt", "", "-.log"))
        .Select((parts, id, end) => $"{string.Join('_', parts)}-{id}{end}");

    [Fact]
    public void Any_file_name_gives_valid_kubernetes_names_or_none() =>
        Gen.OneOf(LinkLike, Gen.String).Sample(name =>
        {
            if (ContainerLogDirectory.Parse(name) is not { } container) return;
            Assert.True(KubernetesNames.IsSubdomain(container.Pod) && KubernetesNames.IsLabel(container.Namespace) && KubernetesNames.IsLabel(container.Name));
            Assert.True(container.Id.Length == 64 && container.Id.All(char.IsAsciiHexDigitLower));
            Assert.Equal($"{container.Pod}_{container.Namespace}_{container.Name}-{container.Id}.log", name);
        }, iter: 20_000);

    [Fact]
    public void A_kubelet_link_gives_back_its_names() =>
        Gen.Select(Gen.Char["abc0-"].Array[1, 30].Select(c => "p" + new string(c) + "0"), Gen.Char["xyz9"].Array[1, 20].Select(c => new string(c)), Id)
            .Sample((pod, ns, id) =>
                Assert.Equal(new RunningContainer(id, ns, pod + ".x", "app"), ContainerLogDirectory.Parse($"{pod}.x_{ns}_app-{id}.log")), iter: 2_000);
}
