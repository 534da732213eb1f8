using CoreFileProfiler.Store;
using CsCheck;

namespace CoreFileProfiler.Tests.Store;

public sealed class FreeSpaceFloorTests
{
    private const long Disk = 100L << 30;

    [Theory]
    [InlineData("2147483648", 2147483648L)]
    [InlineData("2GiB", 2L << 30)]
    [InlineData("512MiB", 512L << 20)]
    [InlineData("1.5KiB", 1536L)]
    [InlineData("5%", 5L << 30)]
    [InlineData("99.9%", (long)(Disk * 0.999))]
    [InlineData("0%", 0L)]
    [InlineData("0", 0L)]
    public void Bytes_and_percentages_of_the_filesystem_are_floors(string text, long bytesOfADisk) =>
        Assert.Equal(bytesOfADisk, FreeSpaceFloor.Parse(text).BytesOf(Disk));

    [Theory]
    [InlineData("")]
    [InlineData("-1")]
    [InlineData("101%")]
    [InlineData("5 %")]
    [InlineData("2GB")]
    [InlineData("2gib")]
    [InlineData("1e9")]
    [InlineData("9999999999TiB")]
    [InlineData("5%\n")]
    public void Anything_else_is_refused_with_what_a_floor_looks_like(string text)
    {
        Assert.False(FreeSpaceFloor.TryParse(text, out _));
        Assert.Contains("'5%'", Assert.Throws<FormatException>(() => FreeSpaceFloor.Parse(text)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_headroom_is_what_the_filesystem_has_free_above_the_floor()
    {
        var drive = new DriveInfo(Path.GetTempPath());
        Assert.InRange(FreeSpaceFloor.Parse("0").HeadroomIn(Path.GetTempPath()), drive.AvailableFreeSpace - (1L << 30), drive.AvailableFreeSpace + (1L << 30));
        Assert.True(FreeSpaceFloor.Parse("100%").HeadroomIn(Path.GetTempPath()) < 0);
    }

    [Fact]
    public void No_text_throws_anything_but_the_refusal_and_every_floor_fits_the_disk() =>
        Gen.OneOf(Gen.String, Gen.Char["0123456789.%KMGTiB -e"].Array[0, 24].Select(c => new string(c))).Sample(text =>
        {
            if (FreeSpaceFloor.TryParse(text, out var floor)) Assert.InRange(floor.BytesOf(Disk), 0, text.EndsWith('%') ? Disk : long.MaxValue);
            else Assert.Throws<FormatException>(() => FreeSpaceFloor.Parse(text));
        }, iter: 20_000);
}
