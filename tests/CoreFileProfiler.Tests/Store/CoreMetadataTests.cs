using CoreFileProfiler.Store;
using CoreFileProfiler.Tests.Support;

namespace CoreFileProfiler.Tests.Store;

public sealed class CoreMetadataTests
{
    [Fact]
    public void Metadata_written_before_the_skipped_list_existed_still_reads()
    {
        using var temp = new TempDirectory();
        var core = temp.Write("42_20261127-131415");
        temp.Write("42_20261127-131415.json", """{"pid":42,"time":"2026-11-27T13:14:15+00:00","source":"kernel","size":10,"truncated":false,"buildId":"ab"}""");

        var metadata = CoreMetadata.ReadFor(core);

        Assert.NotNull(metadata);
        Assert.Equal("ab", metadata.BuildId);
        Assert.Null(metadata.Skipped);
    }

    [Fact]
    public void What_the_collector_skipped_is_written_and_read_back()
    {
        using var temp = new TempDirectory();
        var core = temp.Write("43_20261127-131415");
        var skipped = new[] { "container names: not done within EnrichmentSeconds (10 s)" };

        new CoreMetadata(43, 11, DateTimeOffset.UnixEpoch, null, null, null, null, null, null, null, "kernel", 10, false, Skipped: skipped).WriteBeside(core);

        Assert.Equal(skipped, CoreMetadata.ReadFor(core)!.Skipped);
        Assert.Contains("\"skipped\"", File.ReadAllText(core + ".json"), StringComparison.Ordinal);
    }
}
