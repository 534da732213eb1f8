using CoreFileProfiler.Store.Containers;

namespace CoreFileProfiler.Tests.Store.Containers;

public sealed class ContainerIdentityTests
{
    private const string Id = "98a425c51f543e0482a60dc47f4d4e36bbccbbe8696676a7bcf83d28652516c5";

    [Theory]
    [InlineData($"12:memory:/docker/{Id}\n11:cpu:/docker/{Id}\n")] // Docker, cgroup v1
    [InlineData($"0::/system.slice/docker-{Id}.scope\n")] // Docker with systemd, cgroup v2
    [InlineData($"0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1234.slice/cri-containerd-{Id}.scope\n")] // containerd
    [InlineData($"0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1234.slice/crio-{Id}.scope\n")] // CRI-O
    [InlineData($"4:memory:/kubepods/burstable/pod0b4b7f1d-5d3e-4a51-8f3c-2f2b5e6f8a10/{Id}\n")] // kubelet cgroupfs driver, v1
    [InlineData($"0::/kubepods/besteffort/pod0b4b7f1d/{Id}/\n")]
    public void The_container_id_is_found_in_every_runtime_and_cgroup_layout(string cgroup) =>
        Assert.Equal(Id, CgroupContainerId.Parse(cgroup));

    private const string Other = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    [Theory]
    [InlineData($"0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1234.slice/cri-containerd-{Id}.scope/cri-containerd-{Other}.scope\n")]
    [InlineData($"0::/kubepods.slice/kubepods-pod1234.slice/crio-{Id}.scope/kubepods-pod5678.slice/crio-{Other}.scope\n")]
    [InlineData($"4:memory:/kubepods/burstable/pod0b4b7f1d/{Id}/docker/{Other}\n")]
    [InlineData($"12:memory:/docker/{Id}/docker/{Other}\n")]
    [InlineData($"0::/system.slice/docker-{Id}.scope/kubepods-pod5678.slice/docker-{Other}.scope\n")]
    [InlineData($"0::/system.slice/docker-{Id}.scope/pod5678/{Other}\n")]
    public void A_cgroup_nested_inside_a_container_belongs_to_the_outer_container(string cgroup) =>
        Assert.Equal(Id, CgroupContainerId.Parse(cgroup));

    [Theory]
    [InlineData($"12:memory:/docker/{Other}\n0::/system.slice/docker-{Id}.scope\n")] // the v2 line decides
    [InlineData($"12:memory:/docker/{Id}\n11:cpu:/docker/{Other}\n0::/\n")] // else the first v1 line that names one
    public void Of_several_lines_the_v2_line_decides_then_the_first_v1_line(string cgroup) =>
        Assert.Equal(Id, CgroupContainerId.Parse(cgroup));

    [Theory]
    [InlineData("0::/user.slice/user-0.slice/session-3.scope\n")]
    [InlineData("12:memory:/\n0::/\n")]
    [InlineData($"0::/kubepods.slice/crio-conmon-{Id}.scope\n")] // CRI-O's monitor, not the container
    [InlineData($"0::/system.slice/{Id}\n")] // a bare id counts only under a pod's cgroup or /docker
    [InlineData($"0::/kubepods.slice/kubepods-pod1234.slice/crio-conmon-{Id}.scope/crio-{Id}x.scope\n")]
    [InlineData("")]
    // An unprivileged user of the node owns its systemd manager's cgroups and may name one after any container.
    [InlineData($"0::/user.slice/user-1000.slice/user@1000.service/app.slice/cri-containerd-{Id}.scope\n")]
    [InlineData($"0::/user.slice/user-1000.slice/user@1000.service/kubepods-pod1234.slice/crio-{Id}.scope\n")]
    [InlineData($"0::/user.slice/user-1000.slice/user@1000.service/docker/{Id}\n")]
    public void Processes_outside_containers_have_none(string cgroup) => Assert.Null(CgroupContainerId.Parse(cgroup));

    [Fact]
    public void Kubelet_log_links_name_pod_namespace_and_container()
    {
        var container = ContainerLogDirectory.Parse($"web-7d9f8c-x2x9z_shop_envoy-proxy-{Id}.log");

        Assert.Equal(new RunningContainer(Id, "shop", "web-7d9f8c-x2x9z", "envoy-proxy"), container);
    }

    [Theory]
    [InlineData("web_shop_app.log")]
    [InlineData($"web_shop_app-{Id}.txt")]
    [InlineData($"web_shop-{Id}.log")]
    [InlineData($"Web_shop_app-{Id}.log")]
    [InlineData($"web_shop_app_x-{Id}.log")]
    public void Anything_else_in_the_log_directory_is_ignored(string name) => Assert.Null(ContainerLogDirectory.Parse(name));
}
