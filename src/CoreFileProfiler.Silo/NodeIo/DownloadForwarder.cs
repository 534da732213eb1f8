using System.Net;
using Yarp.ReverseProxy.Forwarder;

namespace CoreFileProfiler.Silo.NodeIo;

/// <summary>
/// Forwards a download (a file's GET or HEAD) to the owning node's gateway and streams its answer into this
/// response, reading the owning gateway's socket straight into the memory Kestrel sends from, a large piece
/// at a time. YARP's copier, which terminals and recordings keep, moves a body through a 64 KiB buffer with a
/// copy and a flush per piece; on a download that cost more than twice the owning gateway's CPU per byte
/// (docs/architecture.md, Request flows). The request and the response headers go through the same
/// <see cref="ForwardingTransformer"/> rules as every forwarded request.
/// </summary>
internal sealed class DownloadForwarder(ForwardingClient client)
{
    /// <summary>
    /// The most read from the owning gateway, and handed to Kestrel, at once: 256 KiB cost no more CPU
    /// than 1 MiB did (64 KiB cost half again as much), and a stalled client holds no more than this.
    /// </summary>
    private const int PieceBytes = 256 << 10;

    /// <summary>
    /// Sends the request to <paramref name="target"/> and copies the answer to the client. The error is YARP's
    /// vocabulary, so <see cref="NodeGateways"/> judges both forwarders alike: <see cref="ForwarderError.Request"/>,
    /// <see cref="ForwarderError.RequestTimedOut"/> and <see cref="ForwarderError.RequestCanceled"/> mean nothing
    /// was sent to the client; a failure after that aborts the client's connection, so a cut body is never
    /// taken for a whole one.
    /// </summary>
    public async Task<(ForwarderError Error, Exception? Exception)> SendAsync(HttpContext context, string target, TimeSpan activityTimeout)
    {
        var aborted = context.RequestAborted;
        using var activity = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        activity.CancelAfter(activityTimeout);

        HttpResponseMessage response;
        try
        {
            using var request = await RequestAsync(context, target, activity.Token);
            response = await client.Invoker.SendAsync(request, activity.Token);
        }
        catch (OperationCanceledException e)
        {
            return (aborted.IsCancellationRequested ? ForwarderError.RequestCanceled : ForwarderError.RequestTimedOut, e);
        }
        catch (Exception e)
        {
            return (ForwarderError.Request, e);
        }

        using (response)
        {
            context.Response.StatusCode = (int)response.StatusCode;
            await ForwardingTransformer.Instance.TransformResponseAsync(context, response, activity.Token);
            if (HttpMethods.IsHead(context.Request.Method)) return (ForwarderError.None, null);
            return await CopyBodyAsync(context, response, activity, activityTimeout);
        }
    }

    /// <summary>
    /// The request for the owning gateway: the user's GET or HEAD to <paramref name="target"/>, through the
    /// <see cref="ForwardingTransformer"/>. A download has no body: whatever a client sent with its GET stays here.
    /// </summary>
    internal static async Task<HttpRequestMessage> RequestAsync(HttpContext context, string target, CancellationToken cancellationToken)
    {
        var request = new HttpRequestMessage(HttpMethods.IsHead(context.Request.Method) ? HttpMethod.Head : HttpMethod.Get, (Uri?)null)
        {
            Version = HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        await ForwardingTransformer.Instance.TransformRequestAsync(context, request, target, cancellationToken);
        request.RequestUri ??= RequestUtilities.MakeDestinationAddress(target, context.Request.Path, context.Request.QueryString);
        return request;
    }

    private static async Task<(ForwarderError, Exception?)> CopyBodyAsync(HttpContext context, HttpResponseMessage response, CancellationTokenSource activity, TimeSpan activityTimeout)
    {
        var writer = context.Response.BodyWriter;
        try
        {
            await using var body = await response.Content.ReadAsStreamAsync(activity.Token);
            // The headers leave now, so every piece is read into the pipe's own memory.
            await context.Response.StartAsync(activity.Token);
            while (true)
            {
                // A piece goes out full, or at the end: over TLS a read yields one record (16 KiB at most), and a
                // flush per read would cost a send per record.
                var piece = writer.GetMemory(PieceBytes);
                int filled = 0, read;
                while (filled < piece.Length && (read = await body.ReadAsync(piece[filled..], activity.Token)) > 0) filled += read;
                if (filled == 0) return (ForwarderError.None, null);
                writer.Advance(filled);
                var flushed = await writer.FlushAsync(activity.Token);
                if (flushed.IsCanceled || flushed.IsCompleted) return (ForwarderError.ResponseBodyClient, null);
                activity.CancelAfter(activityTimeout);
            }
        }
        catch (OperationCanceledException e) when (context.RequestAborted.IsCancellationRequested)
        {
            return (ForwarderError.ResponseBodyClient, e); // the client left; disposing the response closes the owning gateway's connection
        }
        catch (Exception e)
        {
            context.Abort();
            return (activity.IsCancellationRequested ? ForwarderError.ResponseBodyCanceled : ForwarderError.ResponseBodyDestination, e);
        }
    }
}
