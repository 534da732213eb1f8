using System.Threading.Channels;
using Orleans.Runtime;

namespace CoreFileProfiler.Silo.Downloads;

/// <summary>
/// A file on another node, read through a grain of that node in chunks (a session's file, a kept object's
/// bytes: <paramref name="read"/> is the grain call, given offset and length). It seeks (before reading)
/// so that ASP.NET's range processing serves resumed downloads exactly as it does local files.
/// A few chunks are fetched ahead while the client takes the last ones, so the round trips to
/// the owning node overlap the writes to the client; a slow client slows the fetching down.
/// </summary>
public sealed class RemoteFileStream(Func<long, long, CancellationToken, IAsyncEnumerable<byte[]>> read, long length, bool seekable) : Stream
{
    /// <summary>A file a session lists, read through the session's grain.</summary>
    public RemoteFileStream(IDebugSessionGrain session, string path, long length, bool seekable)
        : this((offset, count, cancellationToken) => session.ReadFile(path, offset, count, cancellationToken), length, seekable)
    {
    }

    private const int ChunksAhead = 32;     // 2 MiB of 64 KiB chunks
    private const int ChunksPerMessage = 16; // up to 1 MiB per message

    private readonly CancellationTokenSource _stop = new();
    private Channel<byte[]>? _chunks;
    private ReadOnlyMemory<byte> _current;
    private long _position;

    public override bool CanRead => true;

    public override bool CanSeek => seekable && _chunks is null;

    public override bool CanWrite => false;

    public override long Length => length;

    public override long Position
    {
        get => _position;
        set => Seek(value, SeekOrigin.Begin);
    }

    public override long Seek(long offset, SeekOrigin origin)
    {
        if (!CanSeek) throw new NotSupportedException("Seek only before the first read.");
        _position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            _ => length + offset,
        };
        return _position;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_current.IsEmpty)
        {
            if (_chunks is null)
            {
                _chunks = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(ChunksAhead) { SingleReader = true, SingleWriter = true });
                _ = FetchAsync(_chunks.Writer, _position, _stop.Token); // ends the channel, with any failure
            }

            if (!await _chunks.Reader.WaitToReadAsync(cancellationToken)) return 0; // end, or the fetch's exception
            _current = await _chunks.Reader.ReadAsync(cancellationToken);
        }

        var count = Math.Min(buffer.Length, _current.Length);
        _current[..count].CopyTo(buffer);
        _current = _current[count..];
        _position += count;
        return count;
    }

    private async Task FetchAsync(ChannelWriter<byte[]> writer, long offset, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var chunk in read(offset, Math.Max(length - offset, 0), cancellationToken)
                .WithBatchSize(ChunksPerMessage).WithCancellation(cancellationToken))
            {
                await writer.WriteAsync(chunk, cancellationToken);
            }

            writer.Complete();
        }
        catch (Exception e)
        {
            writer.Complete(e);
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) =>
        throw new NotSupportedException("A remote file is read asynchronously.");

    public override void Flush() { }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <summary>Stops the fetching, which tells the owning node to stop reading.</summary>
    protected override void Dispose(bool disposing)
    {
        if (disposing && !_stop.IsCancellationRequested) _stop.Cancel();

        base.Dispose(disposing);
    }
}
