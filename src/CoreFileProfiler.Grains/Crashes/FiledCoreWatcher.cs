namespace CoreFileProfiler.Grains.Crashes;

/// <summary>
/// Notices cores as the collector files them (inotify): it publishes each core's metadata last, so a
/// metadata file appearing (renamed into place, or written) names a new core. Watches the store's
/// root (crashes outside any pod) and everything beneath <c>kubernetes/</c>; dot-directories (hand-overs,
/// executable copies, groups) are not watched. A directory that appears is handed to
/// <paramref name="directoryAppeared"/> to be looked through, since files can land in it before its
/// watch does; an overflow of the kernel's queue to <paramref name="lost"/>.
/// </summary>
public sealed class FiledCoreWatcher : IDisposable
{
    private readonly FileSystemWatcher[] _watchers;

    /// <param name="root">The store's root, symlink-free.</param>
    /// <param name="metadataAppeared">A metadata file's path (<c>&lt;core&gt;.json</c>).</param>
    public FiledCoreWatcher(string root, string kubernetes, Action<string> metadataAppeared, Action<string> directoryAppeared, Action lost)
    {
        _watchers = [Watch(root, recursive: false), Watch(kubernetes, recursive: true)];

        FileSystemWatcher Watch(string path, bool recursive)
        {
            var watcher = new FileSystemWatcher(path)
            {
                IncludeSubdirectories = recursive,
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite,
                InternalBufferSize = 64 << 10,
            };
            void Seen(string full)
            {
                var name = Path.GetFileName(full);
                if (name.StartsWith('.')) return;
                if (recursive && Directory.Exists(full)) directoryAppeared(full);
                else if (IsMetadataName(name)) metadataAppeared(full);
            }

            watcher.Created += (_, e) => Seen(e.FullPath);
            watcher.Changed += (_, e) => Seen(e.FullPath);
            watcher.Renamed += (_, e) => Seen(e.FullPath);
            watcher.Error += (_, _) => lost();
            watcher.EnableRaisingEvents = true;
            return watcher;
        }
    }

    /// <summary>A core's metadata, not its report nor anything in progress.</summary>
    public static bool IsMetadataName(string name) =>
        name.EndsWith(".json", StringComparison.Ordinal) && !name.EndsWith(".report.json", StringComparison.Ordinal) && !name.StartsWith('.');

    public void Dispose()
    {
        foreach (var watcher in _watchers) watcher.Dispose();
    }
}
