using CoreFileProfiler.Store.Containers;
using CsCheck;

namespace CoreFileProfiler.Tests.Store.Containers;

/// <summary>
/// <c>/var/log/containers</c> holds whatever files are there: a name that is not the kubelet's
/// <c>&lt;pod&gt;_&lt;namespace&gt;_&lt;container&gt;-&lt;id&gt;.log</c> with valid Kubernetes names is ignored, never an
/// exception and never a name that could leave the core store.
/// </summary>
public sealed class KubeletLogLinkProperties
{
    private static readonly Gen<string> Id = Gen.Char["0123456789abcdef"].Array[64].Select(c => new string(c));
    private static readonly Gen<string> Part = Gen.Char["ab0-._/\nA"].Array[0, 20].Select(c => new string(c));

    private static readonly Gen<string> Label = Gen.Char["abz09-"].Array[0, 10].Select(c => "a" + new string(c) + "0");

    /// <summary>A valid name, often with one hostile character or two around it.</summary>
    private static readonly Gen<string> NearlyAName = Gen.Select(Gen.OneOf("", "\n", "A", "/", "..", "-", " ", "_"), Gen.Char["abc0-."].Array[1, 12], Gen.OneOf("", "", "\n", "A", "/", "..", "-", "\0"))
        .Select((before, name, after) => before + "a" + new string(name) + "0" + after);

    /// <summary>Names shaped like log links, with hostile parts, ids and endings.</summary>
    private static readonly Gen<string> LinkLike = Gen.Select(Gen.OneOf(Part, NearlyAName).Array[0, 5], Gen.OneOf(Id, Part), Gen.OneOf(".log", ".log", ".log\n", ".txt", "", "-.log"))
        .Select((parts, id, end) => $"{string.Join('_', parts)}-{id}{end}");

    [Fact]
    public void Any_file_name_gives_valid_kubernetes_names_or_none() =>
        Gen.OneOf(LinkLike, Gen.String).Sample(name =>
        {
            if (ContainerLogDirectory.Parse(name) is not { } container) return;
            Assert.True(KubernetesNames.IsSubdomain(container.Pod) && KubernetesNames.IsLabel(container.Namespace) && KubernetesNames.IsLabel(container.Name));
            // Checked by hand too: these become directories of the core store.
            Assert.All(container.Pod + container.Namespace + container.Name, c => Assert.True(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '.'));
            Assert.True(container.Id.Length == 64 && container.Id.All(char.IsAsciiHexDigitLower));
            Assert.Equal($"{container.Pod}_{container.Namespace}_{container.Name}-{container.Id}.log", name);
        }, iter: 20_000);

    [Fact]
    public void A_link_with_one_hostile_character_in_a_name_is_ignored() =>
        Gen.Select(Label, Label, Label, Gen.Int[0, 2], Gen.OneOf("\n", "A", "/", "..", " ", "\0", "\t"), Gen.Bool, Id).Sample((pod, ns, name, which, hostile, atEnd, id) =>
        {
            string[] names = [pod, ns, name];
            names[which] = atEnd ? names[which] + hostile : hostile + names[which];
            Assert.Null(ContainerLogDirectory.Parse($"{names[0]}_{names[1]}_{names[2]}-{id}.log"));
        }, iter: 5_000);

    [Fact]
    public void A_kubelet_link_gives_back_its_names() =>
        Gen.Select(Gen.Char["abc0-"].Array[1, 30].Select(c => "p" + new string(c) + "0"), Gen.Char["xyz9"].Array[1, 20].Select(c => new string(c)), Id)
            .Sample((pod, ns, id) =>
                Assert.Equal(new RunningContainer(id, ns, pod + ".x", "app"), ContainerLogDirectory.Parse($"{pod}.x_{ns}_app-{id}.log")), iter: 2_000);
}
