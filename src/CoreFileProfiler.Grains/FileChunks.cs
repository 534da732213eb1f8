using System.Runtime.CompilerServices;

namespace CoreFileProfiler.Grains;

/// <summary>A stream's bytes as fresh chunks, each one message to the gateway serving a download.</summary>
internal static class FileChunks
{
    /// <summary>Under the large-object heap's threshold, so a long download does not churn gen-2 collections.</summary>
    public const int ChunkBytes = 64 << 10;

    public static async IAsyncEnumerable<byte[]> ReadAsync(Stream stream, long offset, long length, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (offset > 0)
        {
            if (stream.CanSeek) stream.Seek(offset, SeekOrigin.Begin);
            else await SkipAsync(stream, offset, cancellationToken);
        }

        while (length > 0)
        {
            var chunk = new byte[(int)Math.Min(ChunkBytes, length)];
            var filled = await stream.ReadAtLeastAsync(chunk, chunk.Length, throwOnEndOfStream: false, cancellationToken);
            if (filled == 0) yield break;
            length -= filled;
            yield return filled == chunk.Length ? chunk : chunk[..filled];
        }
    }

    private static async Task SkipAsync(Stream stream, long count, CancellationToken cancellationToken)
    {
        var buffer = new byte[81920];
        while (count > 0)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, count)), cancellationToken);
            if (read == 0) return;
            count -= read;
        }
    }
}
