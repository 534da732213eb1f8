using CoreFileProfiler.Store.Containers;
using CsCheck;

namespace CoreFileProfiler.Tests.Store.Containers;

/// <summary>The kubelet's Docker labels, read the same way by the collector and by Node.</summary>
public sealed class PodLabelsTests
{
    private const string Id = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    [Fact]
    public void A_pod_containers_labels_give_its_namespace_pod_and_name()
    {
        var labels = new Dictionary<string, string>
        {
            ["io.kubernetes.pod.namespace"] = "tenant",
            ["io.kubernetes.pod.name"] = "web-7d9f.canary",
            ["io.kubernetes.container.name"] = "app",
            ["io.kubernetes.docker.type"] = "container",
        };

        Assert.Equal(new RunningContainer(Id, "tenant", "web-7d9f.canary", "app"), PodLabels.ContainerOf(Id, Label(labels)));
    }

    [Theory]
    [InlineData("../../etc", "web", "app")]
    [InlineData("tenant", "web/../../x", "app")]
    [InlineData("tenant", "web", "app\n")]
    [InlineData("Tenant", "web", "app")]
    [InlineData("tenant", "", "app")]
    [InlineData("tenant", "web", null)]
    public void Labels_that_are_no_kubernetes_names_give_no_container(string? ns, string? pod, string? container)
    {
        var labels = new Dictionary<string, string?>
        {
            [PodLabels.Namespace] = ns,
            [PodLabels.Pod] = pod,
            [PodLabels.Container] = container,
        };

        Assert.Null(PodLabels.ContainerOf(Id, name => labels[name]));
    }

    [Fact]
    public void Whatever_a_container_claims_only_kubernetes_names_become_directories()
    {
        var claims = Gen.OneOf(Gen.String, Gen.Const("tenant"), Gen.Const(".."), Gen.Const("a/b"), Gen.Const("web-1"), Gen.Const("web.1"));
        Gen.Select(claims, claims, claims).Sample((ns, pod, container) =>
        {
            var found = PodLabels.ContainerOf(Id, name => name switch { PodLabels.Namespace => ns, PodLabels.Pod => pod, _ => container });
            Assert.Equal(KubernetesNames.IsLabel(ns) && KubernetesNames.IsSubdomain(pod) && KubernetesNames.IsLabel(container), found is not null);
        }, iter: 2000);
    }

    private static Func<string, string?> Label(Dictionary<string, string> labels) => name => labels.GetValueOrDefault(name);
}
