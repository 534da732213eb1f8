using CoreFileProfiler.Node.Terminals;
using CsCheck;

namespace CoreFileProfiler.Tests.Terminals;

/// <summary>A late viewer sees exactly the newest bytes the terminal wrote, in order, however the writes wrapped the ring.</summary>
public sealed class ScrollbackPropertyTests
{
    private static readonly Gen<(int Capacity, byte[][] Writes)> Histories =
        Gen.Int[1, 64].SelectMany(capacity => Gen.Byte.Array[0, 3 * capacity].Array[0, 40].Select(writes => (capacity, writes)));

    [Fact]
    public void Keeps_the_newest_bytes_up_to_its_capacity_in_order() => Histories.Sample(history =>
    {
        var scrollback = new Scrollback(history.Capacity);
        var written = new List<byte>();
        foreach (var write in history.Writes)
        {
            scrollback.Append(write);
            written.AddRange(write);

            // The model: everything written, cut to the newest Capacity bytes.
            Assert.Equal(written.Skip(Math.Max(0, written.Count - history.Capacity)).ToArray(), scrollback.ToArray());
        }
    }, iter: 5_000);

    [Fact]
    public void A_write_larger_than_the_capacity_leaves_its_tail()
    {
        var scrollback = new Scrollback(4);
        scrollback.Append("ab"u8);
        scrollback.Append("0123456789"u8);

        Assert.Equal("6789"u8.ToArray(), scrollback.ToArray());
    }
}
