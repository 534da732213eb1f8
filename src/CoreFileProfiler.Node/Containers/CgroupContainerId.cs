using System.Text.RegularExpressions;

namespace CoreFileProfiler.Node.Containers;

/// <summary>
/// The container id in a process's <c>/proc/&lt;pid&gt;/cgroup</c>, whatever the runtime and cgroup
/// version: <c>/docker/&lt;id&gt;</c>, <c>docker-&lt;id&gt;.scope</c>, <c>cri-containerd-&lt;id&gt;.scope</c>,
/// <c>crio-&lt;id&gt;.scope</c>, <c>/kubepods/…/&lt;id&gt;</c>. CRI-O's monitor (<c>crio-conmon-</c>) is not the container.
/// </summary>
public static partial class CgroupContainerId
{
    public static string? Parse(string cgroupFile)
    {
        foreach (var line in cgroupFile.Split('\n'))
        {
            // hierarchy-id:controllers:path
            var path = line.Split(':', 3) is [_, _, var p] ? p : "";
            var match = Id().Match(path);
            if (match.Success && !match.Groups["prefix"].Value.EndsWith("conmon-", StringComparison.Ordinal)) return match.Groups["id"].Value;
        }

        return null;
    }

    [GeneratedRegex(@"(?<prefix>[/-][a-z-]*?)(?<id>[0-9a-f]{64})(\.scope)?/?$")]
    private static partial Regex Id();
}
