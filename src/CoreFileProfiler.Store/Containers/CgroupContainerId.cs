using System.Buffers;

namespace CoreFileProfiler.Store.Containers;

/// <summary>
/// The container id in a process's <c>/proc/&lt;pid&gt;/cgroup</c>, whatever the runtime and cgroup
/// version: <c>/docker/&lt;id&gt;</c>, <c>docker-&lt;id&gt;.scope</c>, <c>cri-containerd-&lt;id&gt;.scope</c>,
/// <c>crio-&lt;id&gt;.scope</c>, <c>libpod-&lt;id&gt;.scope</c>, <c>/kubepods/…/pod&lt;uid&gt;/&lt;id&gt;</c>.
/// </summary>
/// <remarks>
/// A process may move itself into a cgroup it creates below its own and name it after another
/// container, so the id is the <em>outermost</em> container scope of the path, never whatever the
/// path ends with: the first runtime scope from the root down (under Kubernetes, the one right
/// under the pod's cgroup, <c>pod&lt;uid&gt;</c> or <c>kubepods-…-pod&lt;uid&gt;.slice</c>), or a bare id
/// right under a pod's cgroup or <c>/docker</c>. CRI-O's monitor (<c>crio-conmon-</c>) is never a
/// container. Of several lines, the cgroup v2 line (<c>0::</c>) decides when it names a container
/// (runtimes place containers there on v2, and systemd on its hybrid layout); else the first v1
/// hierarchy that names one, in the file's order.
/// </remarks>
public static class CgroupContainerId
{
    private const int IdLength = 64;
    private const string Scope = ".scope";
    private const string Slice = ".slice";
    private static readonly string[] RuntimeScopePrefixes = ["docker-", "cri-containerd-", "crio-", "libpod-"];
    private static readonly SearchValues<char> IdCharacters = SearchValues.Create("0123456789abcdef");

    // The systemd driver writes a pod uid's '-' as '_'.
    private static readonly SearchValues<char> PodUidCharacters = SearchValues.Create("0123456789abcdef-_");

    public static string? Parse(string cgroupFile)
    {
        string? fromV1 = null;
        foreach (var line in cgroupFile.Split('\n'))
        {
            // hierarchy-id:controllers:path
            if (line.Split(':', 3) is not [var hierarchy, _, var path]) continue;
            var id = FromPath(path);
            if (hierarchy == "0" && id is not null) return id;
            fromV1 ??= id;
        }

        return fromV1;
    }

    /// <summary>The first container scope from the root down; a bare id counts right under a pod's cgroup or <c>/docker</c>.</summary>
    private static string? FromPath(string path)
    {
        var parts = path.Split('/');
        for (var i = 0; i < parts.Length; i++)
        {
            // systemd delegates a user's manager (user@<uid>.service) and everything below it to that
            // user, who may create a cgroup there named after any container: nothing below is a runtime's.
            if (IsUserManager(parts[i])) return null;
            var bareAllowed = i > 0 && (parts[i - 1] == "docker" || IsPodCgroup(parts[i - 1]));
            if ((ScopeId(parts[i]) ?? (bareAllowed ? BareId(parts[i]) : null)) is { } id) return id;
        }

        return null;
    }

    private static bool IsUserManager(string part) =>
        part.StartsWith("user@", StringComparison.Ordinal) && part.EndsWith(".service", StringComparison.Ordinal);

    /// <summary><c>pod&lt;uid&gt;</c> (cgroupfs driver) or <c>kubepods[-&lt;qos&gt;]-pod&lt;uid&gt;.slice</c> (systemd driver).</summary>
    private static bool IsPodCgroup(string part)
    {
        if (part.StartsWith("pod", StringComparison.Ordinal)) return IsPodUid(part.AsSpan(3));
        if (!part.StartsWith("kubepods", StringComparison.Ordinal) || !part.EndsWith(Slice, StringComparison.Ordinal)) return false;
        var at = part.LastIndexOf("-pod", StringComparison.Ordinal);
        return at > 0 && IsPodUid(part.AsSpan(at + 4, part.Length - at - 4 - Slice.Length));
    }

    private static bool IsPodUid(ReadOnlySpan<char> uid) => uid.Length > 0 && !uid.ContainsAnyExcept(PodUidCharacters);

    private static string? ScopeId(string part)
    {
        if (!part.EndsWith(Scope, StringComparison.Ordinal)) return null;
        foreach (var prefix in RuntimeScopePrefixes)
        {
            // "crio-conmon-<id>.scope" fails here: "conmon-<id>" is no id.
            if (part.StartsWith(prefix, StringComparison.Ordinal) && BareId(part[prefix.Length..^Scope.Length]) is { } id) return id;
        }

        return null;
    }

    private static string? BareId(string part) => part.Length == IdLength && !part.AsSpan().ContainsAnyExcept(IdCharacters) ? part : null;
}
