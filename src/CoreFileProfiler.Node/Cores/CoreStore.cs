using CoreFileProfiler.Store;
using CoreFileProfiler.Store.Containers;
using CoreFileProfiler.Store.Interop;
using Microsoft.Extensions.Options;

namespace CoreFileProfiler.Node.Cores;

/// <summary>
/// The node's core store (docs/architecture.md, Core store) and the rules for what a session may read from disk:
/// pods map to <c>&lt;CoreRoot&gt;/kubernetes/&lt;ns&gt;/&lt;pod&gt;/&lt;container&gt;</c>, and a user-given path
/// must stay inside <c>AllowedPaths</c> after every symlink is resolved.
/// </summary>
public sealed class CoreStore(IOptions<ProfilerOptions> options)
{
    public string Root => options.Value.CoreRoot;

    public string KubernetesRoot => Path.Join(Root, StoreLayout.KubernetesFolder);

    /// <summary>The root with every symlink resolved (the configured root may be one); null when it is not there.</summary>
    public string? ResolvedRoot => LibC.RealPath(Root);

    /// <summary>The cores of a pod: one container's directory, or every container's.</summary>
    /// <exception cref="ArgumentException">A name is not a Kubernetes name.</exception>
    /// <exception cref="DirectoryNotFoundException">The node has no cores for that pod or container.</exception>
    public CoreTarget ForPod(string ns, string pod, string? container)
    {
        if (!KubernetesNames.IsLabel(ns)) throw new ArgumentException($"pod.namespace '{ns}' is not a valid namespace name.");
        if (!KubernetesNames.IsSubdomain(pod)) throw new ArgumentException($"pod.name '{pod}' is not a valid pod name.");
        if (container is not null && !KubernetesNames.IsLabel(container)) throw new ArgumentException($"container '{container}' is not a valid container name.");

        // The configured root is trusted (it may be a symlink); beneath it, the store's walk follows none.
        var root = LibC.RealPath(Root);
        try
        {
            using var store = root is null ? null : StoreDirectory.OpenDirectoryAt(root);
            using var podDirectory = store?.OpenDirectory(StoreLayout.PodDirectory(ns, pod));
            if (podDirectory is null) throw new DirectoryNotFoundException($"No cores of pod {ns}/{pod} on this node.");
            using var containerDirectory = container is null ? null : podDirectory.OpenDirectory(container);
            if (container is not null && containerDirectory is null)
            {
                throw new DirectoryNotFoundException($"No cores of container {container} of pod {ns}/{pod} on this node.");
            }
        }
        catch (SymlinkInStoreException e)
        {
            throw new ArgumentException($"The core directory of pod {ns}/{pod} is not followed: {e.Message}");
        }

        return new CoreTarget(Path.Join(root, StoreLayout.PodDirectory(ns, pod)), container, Path.Join(root, StoreLayout.KubernetesFolder));
    }

    /// <summary>Every core in the store, pods' and the node's own, newest first.</summary>
    public IReadOnlyList<CoreFileEntry> ListAll() =>
        LibC.RealPath(Root) is { } root ? new CoreTarget(root, null, Path.Join(root, StoreLayout.KubernetesFolder)).ListFiles() : [];

    /// <summary>A file or directory the user named, confined to the allowed roots.</summary>
    /// <exception cref="ArgumentException">The path is relative or leads outside every allowed root.</exception>
    /// <exception cref="FileNotFoundException">Nothing is there.</exception>
    public CoreTarget ForPath(string path)
    {
        if (!Path.IsPathRooted(path)) throw new ArgumentException($"filepath '{path}' must be absolute.");
        var allowed = string.Join(", ", options.Value.EffectiveAllowedPaths);

        // Refuse lexically first, so nothing outside the roots is even looked at.
        var lexical = Path.GetFullPath(path);
        if (!options.Value.EffectiveAllowedPaths.Any(root => IsWithin(lexical, Path.GetFullPath(root))))
        {
            throw new ArgumentException($"filepath '{path}' is outside the allowed paths ({allowed}).");
        }

        var real = LibC.RealPath(lexical) ?? throw new FileNotFoundException($"filepath '{path}' does not exist.");
        var realRoots = options.Value.EffectiveAllowedPaths.Select(LibC.RealPath).OfType<string>();
        if (!realRoots.Any(root => IsWithin(real, root)))
        {
            throw new ArgumentException($"filepath '{path}' resolves to '{real}', outside the allowed paths ({allowed}).");
        }

        var kubernetesRoot = LibC.RealPath(KubernetesRoot);
        if (Directory.Exists(real)) return new CoreTarget(real, null, kubernetesRoot);
        if (!LibC.IsRegularFile(real)) throw new ArgumentException($"filepath '{path}' is neither a regular file nor a directory.");
        return new CoreTarget(Path.GetDirectoryName(real)!, Path.GetFileName(real), kubernetesRoot);
    }

    private static bool IsWithin(string path, string root)
    {
        root = root.TrimEnd('/');
        return root.Length == 0 || path == root || path.StartsWith(root + "/", StringComparison.Ordinal);
    }
}
