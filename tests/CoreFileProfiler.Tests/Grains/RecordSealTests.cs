using CoreFileProfiler.Grains.Persistence;
using CsCheck;

namespace CoreFileProfiler.Tests.Grains;

/// <summary>What someone who can write to the storage, but holds no silo's secret, can do with a sealed record: nothing.</summary>
public sealed class RecordSealTests
{
    private static readonly RecordSeal Cluster = RecordSeal.FromSecret("the admin token", "core-file-profiler");

    [Fact]
    public void A_record_opens_only_under_its_own_name_and_with_the_clusters_key_and_any_change_of_a_byte_is_refused()
    {
        var otherSecret = RecordSeal.FromSecret("another admin token", "core-file-profiler");
        var otherService = RecordSeal.FromSecret("the admin token", "another-service");
        Gen.Select(Gen.Byte.Array[0, 512], Gen.Int[0, 1024]).Sample((plain, flip) =>
        {
            var sealedRecord = Cluster.Seal(plain, "session/a");

            // Another silo of the same cluster derives the same keys.
            Assert.Equal(plain, RecordSeal.FromSecret("the admin token", "core-file-profiler").Open(sealedRecord, "session/a"));
            Assert.Null(Cluster.Open(sealedRecord, "session/b")); // copied under another record's key
            Assert.Null(otherSecret.Open(sealedRecord, "session/a"));
            Assert.Null(otherService.Open(sealedRecord, "session/a"));
            var altered = (byte[])sealedRecord.Clone();
            altered[flip % altered.Length] ^= 1;
            Assert.Null(Cluster.Open(altered, "session/a"));
            Assert.Null(Cluster.Open(sealedRecord.AsSpan(0, flip % sealedRecord.Length), "session/a")); // cut short
            Assert.DoesNotContain(plain.Length >= 8 ? Convert.ToHexString(plain) : "-", Convert.ToHexString(sealedRecord), StringComparison.Ordinal);
        }, iter: 300);
    }

    [Fact]
    public void Bytes_that_were_never_sealed_do_not_open()
    {
        Gen.Byte.Array[0, 4096].Sample(forged => Assert.Null(Cluster.Open(forged, "session/a")), iter: 1000);
    }

    [Fact]
    public void A_storage_name_is_the_same_on_every_silo_differs_per_id_and_does_not_contain_the_id()
    {
        Gen.String[Gen.Char.AlphaNumeric, 8, 64].Sample(id =>
        {
            var name = Cluster.NameOf(id);
            Assert.Equal(name, RecordSeal.FromSecret("the admin token", "core-file-profiler").NameOf(id));
            Assert.NotEqual(name, Cluster.NameOf(id + "x"));
            Assert.NotEqual(name, RecordSeal.FromSecret("another admin token", "core-file-profiler").NameOf(id));
            Assert.DoesNotContain(id, name, StringComparison.Ordinal);
            Assert.Matches("^[A-Za-z0-9_-]{32}$", name);
        }, iter: 300);
    }
}
