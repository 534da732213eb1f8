using System.IO.Enumeration;
using CoreFileProfiler.Node.Interop;

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

    /// <summary>Reads the disk now: newest first.</summary>
    public IReadOnlyList<CoreFileEntry> ListFiles()
    {
        var start = Scope is null ? BaseDirectory : Path.Join(BaseDirectory, Scope);
        if (!Directory.Exists(start))
        {
            return Scope is not null && Find(Scope) is { } single ? [single] : [];
        }

        var options = new EnumerationOptions
        {
            RecurseSubdirectories = true,
            MaxRecursionDepth = MaxDepth,
            IgnoreInaccessible = true,
            // Hidden is a leading '.' on Unix: in-progress writes; ReparsePoint: symlinks.
            AttributesToSkip = FileAttributes.Hidden | FileAttributes.ReparsePoint,
        };
        var entries = new FileSystemEnumerable<string>(start, (ref entry) => entry.ToFullPath(), options)
        {
            ShouldIncludePredicate = (ref entry) => !entry.IsDirectory && IsListedName(entry.FileName),
        };
        return entries
            .Where(LibC.IsRegularFile)
            .Take(MaxFiles)
            .Select(full => Describe(Path.GetRelativePath(BaseDirectory, full), full))
            .OfType<CoreFileEntry>()
            .OrderByDescending(file => file.Modified)
            .ToList();
    }

    /// <summary>The listed file at <paramref name="relativePath"/>, or null for anything else.</summary>
    public CoreFileEntry? Find(string relativePath)
    {
        if (!IsSafeRelativePath(relativePath) || !IsInScope(relativePath)) return null;
        var full = Path.Join(BaseDirectory, relativePath);
        // realpath equal to the lexical path: no component is a symlink and the file exists.
        if (LibC.RealPath(full) != full || !LibC.IsRegularFile(full)) return null;
        if (!IsListedName(Path.GetFileName(full))) return null;
        return Describe(relativePath, full);
    }

    private CoreFileEntry? Describe(string relativePath, string fullPath)
    {
        var info = new FileInfo(fullPath);
        if (!info.Exists) return null; // deleted since it was listed
        return new CoreFileEntry(relativePath, fullPath, info.Length, info.LastWriteTimeUtc, PodOf(fullPath));
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

    private static bool IsSafeRelativePath(string path)
    {
        if (path.Length == 0 || path.Contains('\0') || path.Contains('\\')) return false;
        var segments = path.Split('/');
        return segments.Length <= MaxDepth + 1 && segments.All(s => s.Length > 0 && s != "." && s != "..");
    }
}
