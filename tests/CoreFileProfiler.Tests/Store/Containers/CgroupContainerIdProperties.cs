using CoreFileProfiler.Store.Containers;
using CsCheck;

namespace CoreFileProfiler.Tests.Store.Containers;

/// <summary>
/// <c>/proc/&lt;pid&gt;/cgroup</c> of a crashed process is written by whoever controls its container:
/// whatever the file holds, parsing never throws, and a cgroup a container nests below its own
/// never changes whose crash it is.
/// </summary>
public sealed class CgroupContainerIdProperties
{
    private static readonly Gen<string> Id = Gen.Char["0123456789abcdef"].Array[64].Select(c => new string(c));

    /// <summary>Where runtimes put a container, on cgroup v1 and v2, with and without Kubernetes.</summary>
    private static readonly Gen<Func<string, string>> Outer = Gen.OneOf<Func<string, string>>(
        id => $"/kubepods/burstable/pod0b4b7f1d-5d3e-4a51-8f3c-2f2b5e6f8a10/{id}",
        id => $"/kubepods/pod0b4b7f1d-5d3e-4a51-8f3c-2f2b5e6f8a10/{id}",
        id => $"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod0b4b7f1d_5d3e_4a51_8f3c_2f2b5e6f8a10.slice/cri-containerd-{id}.scope",
        id => $"/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod0b4b7f1d.slice/crio-{id}.scope",
        id => $"/kubepods.slice/kubepods-pod0b4b7f1d.slice/docker-{id}.scope",
        id => $"/system.slice/docker-{id}.scope",
        id => $"/docker/{id}");

    /// <summary>What a process inside a container may create below its own cgroup: anything, including other containers' names.</summary>
    private static readonly Gen<string> Nested = Gen.OneOf(
        Id.Select(id => $"cri-containerd-{id}.scope"),
        Id.Select(id => $"crio-{id}.scope"),
        Id.Select(id => $"docker-{id}.scope"),
        Id.Select(id => $"crio-conmon-{id}.scope"),
        Id.Select(id => $"docker/{id}"),
        Id.Select(id => $"kubepods-burstable-pod1234.slice/cri-containerd-{id}.scope"),
        Id.Select(id => $"pod1234/{id}"),
        Id,
        Gen.Char["abcdef0123456789-_.:"].Array[0, 80].Select(c => new string(c)));

    private static readonly Gen<string> Junk = Gen.Char["0123456789abcdef:/-_.\n kubepodsc"].Array[0, 400].Select(c => new string(c));

    [Fact]
    public void A_scope_nested_inside_a_container_belongs_to_that_container() =>
        Gen.Select(Id, Outer, Nested.Array[1, 6], Gen.Bool).Sample((id, outer, nested, v2) =>
        {
            var path = outer(id) + "/" + string.Join('/', nested);
            var cgroup = v2 ? $"0::{path}\n" : $"12:memory:{path}\n11:cpu,cpuacct:{path}\n1:name=systemd:/\n0::/\n";
            Assert.Equal(id, CgroupContainerId.Parse(cgroup));
        }, iter: 5_000);

    [Fact]
    public void Any_cgroup_file_parses_to_an_id_it_names_or_to_none() =>
        Gen.OneOf(Junk, Gen.String).Sample(cgroup =>
        {
            var id = CgroupContainerId.Parse(cgroup);
            Assert.True(id is null || (id.Length == 64 && id.All(char.IsAsciiHexDigitLower) && cgroup.Contains(id, StringComparison.Ordinal)));
        }, iter: 20_000);

    [Fact]
    public void Junk_lines_around_a_container_line_do_not_change_its_id() =>
        Gen.Select(Id, Outer, Gen.Char["0123456789abcdefgz:-_. "].Array[0, 60].Select(c => new string(c)).Array[0, 5]).Sample((id, outer, junk) =>
        {
            var cgroup = string.Join('\n', junk.Select(j => j.Replace(':', '.')).Append($"0::{outer(id)}").Reverse());
            Assert.Equal(id, CgroupContainerId.Parse(cgroup));
        }, iter: 2_000);
}
