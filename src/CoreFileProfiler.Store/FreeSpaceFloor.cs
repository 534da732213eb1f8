using System.Globalization;

namespace CoreFileProfiler.Store;

/// <summary>
/// How much of a filesystem the service never fills: bytes (<c>2147483648</c>, <c>2GiB</c>, <c>512MiB</c>)
/// or a percentage of the filesystem's size (<c>5%</c>, <c>0.5%</c>), so one setting fits nodes
/// with small and large disks. Cores, snapshots and gdb's decompressed copies stop short of it.
/// </summary>
public readonly record struct FreeSpaceFloor
{
    private static readonly (string Suffix, long Multiplier)[] Units =
        [("TiB", 1L << 40), ("GiB", 1L << 30), ("MiB", 1L << 20), ("KiB", 1L << 10), ("B", 1)];

    private readonly long _bytes;
    private readonly decimal _percent;
    private readonly string _text;

    private FreeSpaceFloor(long bytes, decimal percent, string text) => (_bytes, _percent, _text) = (bytes, percent, text);

    public static FreeSpaceFloor OfBytes(long bytes) =>
        new(Math.Max(bytes, 0), 0, Math.Max(bytes, 0).ToString(CultureInfo.InvariantCulture) + " bytes");

    /// <exception cref="FormatException">Neither bytes nor a percentage from 0 to 100.</exception>
    public static FreeSpaceFloor Parse(string text) => TryParse(text, out var floor)
        ? floor
        : throw new FormatException($"'{text}' is neither bytes ('2147483648', '2GiB', '512MiB') nor a percentage of the filesystem from 0 to 100 ('5%').");

    public static bool TryParse(string? text, out FreeSpaceFloor floor)
    {
        floor = default;
        if (string.IsNullOrEmpty(text) || text.Length > 32) return false;
        if (text.EndsWith('%'))
        {
            if (!TryNumber(text[..^1], out var percent) || percent > 100) return false;
            floor = new FreeSpaceFloor(0, percent, text);
            return true;
        }

        var (number, multiplier) = Units.FirstOrDefault(u => text.EndsWith(u.Suffix, StringComparison.Ordinal)) is ({ } suffix, var unit)
            ? (text[..^suffix.Length], unit)
            : (text, 1L);
        if (!TryNumber(number, out var value) || value > long.MaxValue / multiplier) return false;
        floor = new FreeSpaceFloor((long)(value * multiplier), 0, text);
        return true;
    }

    /// <summary>The bytes this floor keeps free on a filesystem of <paramref name="totalBytes"/>.</summary>
    public long BytesOf(long totalBytes) => _percent > 0 ? (long)(totalBytes * _percent / 100) : _bytes;

    /// <summary>How far the free space of <paramref name="directory"/>'s filesystem is above the floor; negative below it.</summary>
    public long HeadroomIn(string directory)
    {
        var drive = new DriveInfo(directory);
        return Headroom(drive.AvailableFreeSpace, drive.TotalSize);
    }

    /// <summary>How far <paramref name="availableBytes"/> of a filesystem of <paramref name="totalBytes"/> is above the floor.</summary>
    public long Headroom(long availableBytes, long totalBytes) => availableBytes - BytesOf(totalBytes);

    /// <summary>As configured, e.g. <c>5%</c> or <c>2GiB</c>.</summary>
    public override string ToString() => _text ?? "0 bytes";

    private static bool TryNumber(string text, out decimal value) =>
        decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out value);
}
