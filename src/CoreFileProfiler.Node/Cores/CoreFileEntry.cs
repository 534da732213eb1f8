namespace CoreFileProfiler.Node.Cores;

/// <summary>A file of a <see cref="CoreTarget"/>.</summary>
/// <param name="RelativePath">Relative to the target's base directory, '/'-separated.</param>
/// <param name="FullPath">Absolute and symlink-free.</param>
/// <param name="Pod">Where the store's layout files it; null for a core filed outside any pod.</param>
public sealed record CoreFileEntry(string RelativePath, string FullPath, long Size, DateTimeOffset Modified, PodContainer? Pod)
{
    public string? Container => Pod?.Container;
}
