namespace CoreFileProfiler.Node.Terminals;

/// <summary>The last <see cref="Capacity"/> bytes a terminal wrote, for viewers that join late.</summary>
internal sealed class Scrollback(int capacity)
{
    private readonly byte[] _ring = new byte[capacity];
    private int _start;
    private int _length;

    public int Capacity => _ring.Length;

    public void Append(ReadOnlySpan<byte> data)
    {
        if (data.Length >= _ring.Length)
        {
            data[^_ring.Length..].CopyTo(_ring);
            (_start, _length) = (0, _ring.Length);
            return;
        }

        var end = (_start + _length) % _ring.Length;
        var first = Math.Min(data.Length, _ring.Length - end);
        data[..first].CopyTo(_ring.AsSpan(end));
        data[first..].CopyTo(_ring);
        var overflow = Math.Max(0, _length + data.Length - _ring.Length);
        _start = (_start + overflow) % _ring.Length;
        _length = Math.Min(_ring.Length, _length + data.Length);
    }

    public byte[] ToArray()
    {
        var copy = new byte[_length];
        var first = Math.Min(_length, _ring.Length - _start);
        _ring.AsSpan(_start, first).CopyTo(copy);
        _ring.AsSpan(0, _length - first).CopyTo(copy.AsSpan(first));
        return copy;
    }
}
