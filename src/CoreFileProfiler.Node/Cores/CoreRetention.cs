using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CoreFileProfiler.Node.Cores;

/// <summary>
/// Keeps the core store within bounds, oldest first: at most <c>MaxCoresPerContainer</c> cores
/// per container, then at most <c>MaxCoreStoreBytes</c> in all. A core goes with its metadata.
/// An open download or gdb keeps reading a deleted core until it closes it.
/// </summary>
public sealed class CoreRetention(IOptions<ProfilerOptions> options, CoreStore store, ILogger<CoreRetention> logger)
{
    /// <summary>Deletes what is over the limits; returns the deleted cores' paths.</summary>
    public IReadOnlyList<string> Enforce()
    {
        var cores = store.ListAll(); // newest first
        var deleted = new List<string>();

        foreach (var container in cores.Where(c => c.Container is not null).GroupBy(c => Path.GetDirectoryName(c.FullPath)))
        {
            deleted.AddRange(container.Skip(options.Value.MaxCoresPerContainer).Select(Delete));
        }

        var total = cores.Where(c => !deleted.Contains(c.FullPath)).Sum(c => c.Size);
        foreach (var core in cores.Where(c => !deleted.Contains(c.FullPath)).Reverse())
        {
            if (total <= options.Value.MaxCoreStoreBytes) break;
            total -= core.Size;
            deleted.Add(Delete(core));
        }

        if (deleted.Count > 0) logger.LogInformation("Retention deleted {Count} cores: {Cores}", deleted.Count, deleted);
        return deleted;
    }

    private static string Delete(CoreFileEntry core)
    {
        // Through the store's walk: a directory swapped for a symlink since the listing is not followed.
        try
        {
            using var directory = StoreDirectory.OpenDirectoryAt(Path.GetDirectoryName(core.FullPath)!);
            directory?.Delete(Path.GetFileName(core.FullPath));
            directory?.Delete(CoreMetadata.NameFor(Path.GetFileName(core.FullPath)));
        }
        catch (SymlinkInStoreException)
        {
            // not followed, so nothing to delete
        }

        return core.FullPath;
    }
}
