using CoreFileProfiler.Store.Containers;

namespace CoreFileProfiler.Store;

/// <summary>
/// Where things are in the core store, relative to <c>CoreRoot</c>, and the modes they get
/// (docs/architecture.md, Core store). The collector files crashes by these rules and Node reads and
/// files snapshots by the same ones.
/// </summary>
public static class StoreLayout
{
    /// <summary>Pods' cores: <c>kubernetes/&lt;namespace&gt;/&lt;pod&gt;/&lt;container&gt;/</c>; a crash in no container is filed at the root.</summary>
    public const string KubernetesFolder = "kubernetes";

    /// <summary>Sandboxed gdbs' hand-over directories, one per terminal.</summary>
    public const string HandOverFolder = ".sandbox";

    /// <summary>The node's crash groups, one file each (docs/architecture.md, Crash reports).</summary>
    public const string CrashGroupsFolder = ".crashes";

    /// <summary>A core's crash report: <c>&lt;pid&gt;_&lt;time&gt;.report.json</c> beside the core (compressed or not) and its metadata.</summary>
    public static string CrashReportName(string coreName) => CompressedCore.Uncompressed(coreName) + ".report.json";

    /// <summary>Every file of the store: readable by root only (cores hold a process's secrets).</summary>
    public const UnixFileMode FilePermissions = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Every directory the store makes.</summary>
    public const UnixFileMode DirectoryPermissions = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>A pod's directory: its containers' directories are beneath it.</summary>
    public static string PodDirectory(string ns, string pod) => Path.Join(KubernetesFolder, ns, pod);

    /// <summary>Where a core of <paramref name="container"/> goes: its container's directory, or the root ("") for none.</summary>
    public static string DirectoryFor(RunningContainer? container) =>
        container is null ? "" : Path.Join(PodDirectory(container.Namespace, container.Pod), container.Name);
}
