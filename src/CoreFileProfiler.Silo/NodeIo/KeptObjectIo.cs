using CoreFileProfiler.Grains;
using CoreFileProfiler.Grains.Cluster;
using CoreFileProfiler.Node;
using CoreFileProfiler.Node.Cores;
using CoreFileProfiler.Node.Telemetry;
using CoreFileProfiler.Silo.Downloads;
using CoreFileProfiler.Store;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace CoreFileProfiler.Silo.NodeIo;

/// <summary>
/// The seam between the build-id endpoint and the stores that may hold an object (docs/architecture.md, Build-id
/// store): this node's first, from disk; then the other live nodes that keep it, when they agree on its content, streamed
/// through that node's profiler grain; then the configured upstream debuginfod servers. Ranges are ASP.NET's
/// own, as for downloads (the remote stream seeks before it reads).
/// </summary>
internal sealed class KeptObjectIo(
    IOptions<ProfilerOptions> options, KeptObjects objects, ClusterKeptObjects cluster, IGrainFactory grains, DebuginfodUpstream upstream, ProfilerMetrics metrics)
{
    public async Task<IResult> ServeAsync(HttpContext context, string buildId, BuildIdKind kind)
    {
        var aborted = context.RequestAborted;
        var here = options.Value.NodeName;
        var local = await Task.Run(() => objects.Open(buildId, kind), aborted);
        if (local is not null && StoreDirectory.StatusOf(local.File) is { } status) return Body(context, local.File, status.Size, status.Modified);
        local?.Dispose();

        if (await cluster.FindAsync(buildId, kind, here, aborted) is { } found)
        {
            var node = grains.GetNodeProfiler(found.Node);
            var remote = new RemoteFileStream((offset, length, cancellationToken) => node.ReadKeptObject(buildId, kind, found.Sha256, offset, length, cancellationToken), found.Size, seekable: true);
            return Body(context, remote, found.Size, found.Modified);
        }

        if (await upstream.TryServeAsync(context, buildId, kind)) return TypedResults.Empty;
        throw ProfilerException.NotFound($"No node keeps the {BuildIdHeaders.KindName(kind)} of build-id {buildId}.");
    }

    private FileStreamHttpResult Body(HttpContext context, Stream stream, long size, DateTimeOffset modified)
    {
        context.Response.Headers[BuildIdHeaders.Size] = size.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return TypedResults.Stream(new MeteredStream(stream, metrics), BuildIdHeaders.ContentType, lastModified: modified, enableRangeProcessing: true);
    }
}
