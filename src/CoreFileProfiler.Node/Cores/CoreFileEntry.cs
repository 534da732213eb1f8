namespace CoreFileProfiler.Node.Cores;

/// <summary>A file of a <see cref="CoreTarget"/>.</summary>
/// <param name="RelativePath">Relative to the target's base directory, '/'-separated.</param>
/// <param name="FullPath">Absolute and symlink-free.</param>
public sealed record CoreFileEntry(string RelativePath, string FullPath, long Size, DateTimeOffset Modified, string? Container);
