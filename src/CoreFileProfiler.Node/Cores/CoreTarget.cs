using CoreFileProfiler.Store;

namespace CoreFileProfiler.Node.Cores;

/// <summary>
/// The files one session may see: a symlink-free base directory, optionally narrowed to one file
/// or subdirectory. Listing and lookup apply the same rule, so a download can reach exactly the
/// files the page lists: regular files, no symlinks, no dot-files (in-progress writes) and no
/// metadata JSON.
/// </summary>
public sealed class CoreTarget
{
    private const int MaxDepth = 6;
    private const int MaxFiles = 10_000;

    private readonly string? _kubernetesRoot;

    internal CoreTarget(string baseDirectory, string? scope, string? kubernetesRoot)
    {
        BaseDirectory = baseDirectory;
        Scope = scope;
        _kubernetesRoot = kubernetesRoot;
    }

    /// <summary>Absolute and symlink-free.</summary>
    public string BaseDirectory { get; }

    /// <summary>The one file or subdirectory (relative, '/'-separated) the target is narrowed to; null for all.</summary>
    public string? Scope { get; }

    /// <summary>
    /// Whether the target lies inside one pod's directory (<c>kubernetes/&lt;ns&gt;/&lt;pod&gt;/…</c>), judged on
    /// the symlink-free base directory, so a link or <c>..</c> cannot widen it. What a caller without the
    /// admin token may open.
    /// </summary>
    public bool IsWithinOnePod =>
        _kubernetesRoot is not null
        && BaseDirectory.StartsWith(_kubernetesRoot + "/", StringComparison.Ordinal)
        && BaseDirectory[(_kubernetesRoot.Length + 1)..].Split('/', StringSplitOptions.RemoveEmptyEntries).Length >= 2;

    /// <summary>Reads the disk now, through the store's walk (no symlink is listed or entered): newest first.</summary>
    public IReadOnlyList<CoreFileEntry> ListFiles()
    {
        var start = Scope is null ? BaseDirectory : Path.Join(BaseDirectory, Scope);
        using var directory = OpenDirectory(start);
        if (directory is null)
        {
            return Scope is not null && Find(Scope) is { } single ? [single] : [];
        }

        var prefix = Scope is null ? "" : Scope + "/";
        return directory.ListFiles(MaxDepth, name => IsListedName(name))
            .Take(MaxFiles)
            .Select(file => Describe(prefix + file.RelativePath, file.Size, file.Modified))
            .OrderByDescending(file => file.Modified)
            .ToList();
    }

    /// <summary>The listed file at <paramref name="relativePath"/>, or null for anything else.</summary>
    public CoreFileEntry? Find(string relativePath)
    {
        if (!IsSafeRelativePath(relativePath) || !IsInScope(relativePath)) return null;
        var name = Path.GetFileName(relativePath);
        if (!IsListedName(name)) return null;
        // Walked from / with no symlink followed: every component as listed, and the file a regular one.
        using var directory = OpenDirectory(Path.GetDirectoryName(Path.Join(BaseDirectory, relativePath))!);
        return directory?.Stat(name) is { IsRegularFile: true } file ? Describe(relativePath, file.Size, file.Modified) : null;
    }

    private static StoreDirectory? OpenDirectory(string absolutePath)
    {
        try
        {
            return StoreDirectory.OpenDirectoryAt(absolutePath);
        }
        catch (SymlinkInStoreException)
        {
            return null;
        }
    }

    private CoreFileEntry Describe(string relativePath, long size, DateTimeOffset modified)
    {
        var fullPath = Path.Join(BaseDirectory, relativePath);
        return new CoreFileEntry(relativePath, fullPath, size, modified, PodOf(fullPath));
    }

    private bool IsInScope(string relativePath) =>
        Scope is null || relativePath == Scope || relativePath.StartsWith(Scope + "/", StringComparison.Ordinal);

    /// <summary>The directories of <c>kubernetes/&lt;ns&gt;/&lt;pod&gt;/&lt;container&gt;/…</c>.</summary>
    private PodContainer? PodOf(string fullPath)
    {
        if (_kubernetesRoot is null || !fullPath.StartsWith(_kubernetesRoot + "/", StringComparison.Ordinal)) return null;
        var segments = fullPath[(_kubernetesRoot.Length + 1)..].Split('/');
        return segments.Length >= 4 ? new PodContainer(segments[0], segments[1], segments[2]) : null;
    }

    private static bool IsListedName(ReadOnlySpan<char> name) =>
        name.Length > 0 && name[0] != '.' && !name.EndsWith(".json", StringComparison.Ordinal);

    /// <summary>
    /// As listing walks: no segment may be empty or start with a dot, so neither <c>..</c> nor what listing never
    /// enters (the build-id store, hand-over directories, temporaries) can be named.
    /// </summary>
    private static bool IsSafeRelativePath(string path)
    {
        if (path.Length == 0 || path.Contains('\0') || path.Contains('\\')) return false;
        var segments = path.Split('/');
        return segments.Length <= MaxDepth + 1 && segments.All(s => s.Length > 0 && s[0] != '.');
    }
}
