using System.IO.Pipelines;
using CoreFileProfiler.Node.Telemetry;
using CoreFileProfiler.Store;
using Microsoft.AspNetCore.Http.Features;

namespace CoreFileProfiler.Silo.Downloads;

/// <summary>
/// The response body for a download of a file on this node. ASP.NET still does ranges,
/// conditional requests and headers; only the copy changes: Kestrel's fallback reads the file
/// into a 64 KiB buffer and copies it into the response pipe, where this reads the file straight
/// into the pipe's memory, a large piece at a time: one copy fewer and far fewer system calls.
/// </summary>
internal sealed class DirectFileBody(IHttpResponseBodyFeature inner, ProfilerMetrics metrics) : IHttpResponseBodyFeature
{
    private const int PieceBytes = 1 << 20;

    public Stream Stream => inner.Stream;

    public PipeWriter Writer => inner.Writer;

    public void DisableBuffering() => inner.DisableBuffering();

    public Task StartAsync(CancellationToken cancellationToken = default) => inner.StartAsync(cancellationToken);

    public Task CompleteAsync() => inner.CompleteAsync();

    public async Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default)
    {
        // Through no symlink: the path was checked when the file was found, and must not have become one since.
        using var stream = StoreDirectory.OpenExistingFileAt(path);
        var file = stream.SafeFileHandle;
        var end = count is { } length ? offset + length : RandomAccess.GetLength(file);
        var writer = inner.Writer;
        while (offset < end)
        {
            var memory = writer.GetMemory((int)Math.Min(PieceBytes, end - offset));
            if (memory.Length > end - offset) memory = memory[..(int)(end - offset)];
            var read = await RandomAccess.ReadAsync(file, memory, offset, cancellationToken);
            if (read == 0) throw new IOException($"{path} ended {end - offset} bytes early.");
            writer.Advance(read);
            offset += read;
            metrics.Sent(read);
            var flushed = await writer.FlushAsync(cancellationToken);
            if (flushed.IsCanceled || flushed.IsCompleted) return; // the client went away
        }
    }

    /// <summary>Uses this body for the current response.</summary>
    public static void Use(HttpContext context, ProfilerMetrics metrics)
    {
        var inner = context.Features.GetRequiredFeature<IHttpResponseBodyFeature>();
        if (inner is not DirectFileBody) context.Features.Set<IHttpResponseBodyFeature>(new DirectFileBody(inner, metrics));
    }
}
