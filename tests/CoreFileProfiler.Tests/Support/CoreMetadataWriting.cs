using CoreFileProfiler.Store;

namespace CoreFileProfiler.Tests.Support;

/// <summary>Writes metadata beside a core by path, as the collector does through the store's walk.</summary>
internal static class CoreMetadataWriting
{
    public static void WriteBeside(this CoreMetadata metadata, string corePath)
    {
        using var directory = StoreDirectory.OpenDirectoryAt(Path.GetDirectoryName(corePath)!)!;
        metadata.WriteFor(directory, Path.GetFileName(corePath));
    }
}
