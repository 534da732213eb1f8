using System.Globalization;

namespace CoreFileProfiler.Store;

/// <summary>
/// A core's name in the store: <c>&lt;pid&gt;_&lt;yyyyMMdd-HHmmss&gt;</c> (UTC), <c>.zst</c> when compressed,
/// its metadata <c>.json</c> beside it. When the name is taken (a second crash of one pid within
/// a second, a snapshot beside a crash) the core gets the first free one of <c>&lt;name&gt;-1</c>,
/// <c>&lt;name&gt;-2</c>, …: free when neither the core, its compressed or plain twin, nor its
/// metadata has it, so a new core never takes the metadata of another.
/// </summary>
public static class CoreFileName
{
    public static string For(int pid, DateTimeOffset time) =>
        $"{pid.ToString(CultureInfo.InvariantCulture)}_{time.UtcDateTime.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}";

    /// <summary>The first free name (without extension) of <paramref name="baseName"/> in <paramref name="directory"/> now.</summary>
    public static string FirstFree(StoreDirectory directory, string baseName)
    {
        var name = baseName;
        for (var n = 1; IsTaken(directory, name); n++) name = $"{baseName}-{n.ToString(CultureInfo.InvariantCulture)}";
        return name;
    }

    /// <summary>
    /// Gives the finished <paramref name="temporary"/> the first free name of <paramref name="baseName"/>
    /// (plus <paramref name="extension"/>); renameat2 never replaces, so two cores racing for one name
    /// both end up with a name of their own. Returns the name given.
    /// </summary>
    public static string Publish(StoreDirectory directory, string temporary, string baseName, string extension = "")
    {
        while (true)
        {
            var name = FirstFree(directory, baseName) + extension;
            if (directory.Publish(temporary, name)) return name;
        }
    }

    private static bool IsTaken(StoreDirectory directory, string name) =>
        directory.Has(name) || directory.Has(name + CompressedCore.Extension) || directory.Has(CoreMetadata.NameFor(name));
}
