using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Text;
using CoreFileProfiler.Silo.Interop;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Yarp.ReverseProxy.Forwarder;

namespace CoreFileProfiler.Silo.NodeIo;

/// <summary>
/// Forwards a download when both hops are plain HTTP/1.1 (no cluster TLS, no TLS to the client): it writes the
/// user's GET (through the <see cref="ForwardingTransformer"/>) on a connection of its own to the owning gateway,
/// reads the answer's head itself (<see cref="UpstreamResponseHead"/>), and when that is a 200 or 206 with a
/// length, writes the head to the client's socket and moves the body from socket to socket through a pipe with
/// splice(2): the bytes never enter this process. Every other answer (errors, 304, 416, a chunked body), a HEAD,
/// and every request it cannot carry so go through <see cref="DownloadForwarder"/>; a head it refuses falls back
/// to Orleans messaging (docs/architecture.md, Request flows).
/// </summary>
/// <remarks>
/// Kestrel never learns of this response, so the connection ends with it: after the last byte the client's side is
/// shut down for sending (FIN), and the connection is aborted only once the client has acknowledged everything
/// queued, since closing a socket with unread input resets it and drops what it still holds.
/// </remarks>
internal sealed partial class SplicedDownloadForwarder(DownloadForwarder copying, ILogger<SplicedDownloadForwarder> logger)
{
    /// <summary>The pipe between the two sockets: all a transfer holds, however slow its client.</summary>
    private const int PipeBytes = 1 << 20;

    /// <summary>
    /// When the client's socket is full, this much is read out of the pipe and sent the ordinary way, which waits
    /// for room without a thread; the rest keeps moving inside the kernel.
    /// </summary>
    private const int WaitPieceBytes = 16 << 10;

    /// <summary>
    /// The owning gateway's socket signals readable only once this much has arrived (or it ends): without it every
    /// segment that arrives wakes the runtime's event loop and a pool thread, which cost more than the splicing.
    /// </summary>
    private const int ReadableAtBytes = 256 << 10;

    /// <summary>How long the client may take to acknowledge the end of a body without acknowledging anything.</summary>
    private static readonly TimeSpan DrainStall = TimeSpan.FromSeconds(10);

    private static readonly SearchValues<char> FieldText = SearchValues.Create(
        "\t !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~");

    /// <summary>Forwards the download to <paramref name="target"/>; the result in <see cref="DownloadForwarder.SendAsync"/>'s terms.</summary>
    public async Task<(ForwarderError Error, Exception? Exception)> SendAsync(HttpContext context, string target, TimeSpan activityTimeout)
    {
        if (ClientSocketOf(context, target) is not { } client) return await copying.SendAsync(context, target, activityTimeout);

        var aborted = context.RequestAborted;
        using var activity = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        activity.CancelAfter(activityTimeout);
        using var upstream = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        UpstreamResponseHead head;
        ArraySegment<byte> received;
        try
        {
            using var request = await DownloadForwarder.RequestAsync(context, target, activity.Token);
            if (RequestHeadOf(request) is not { } requestHead) return await copying.SendAsync(context, target, activityTimeout);
            using (var connecting = CancellationTokenSource.CreateLinkedTokenSource(activity.Token))
            {
                connecting.CancelAfter(ForwardingClient.ConnectTimeout);
                await upstream.ConnectAsync(request.RequestUri!.Host, request.RequestUri.Port, connecting.Token);
            }

            await SendAllAsync(upstream, requestHead, activity.Token);
            (head, received) = await ReadHeadAsync(upstream, activity.Token);
        }
        catch (RefusedResponseHeadException refused)
        {
            LogHeadRefused(logger, target, refused.Message);
            return (ForwarderError.Request, refused); // nothing was sent: the session grain serves it
        }
        catch (OperationCanceledException e)
        {
            return (aborted.IsCancellationRequested ? ForwarderError.RequestCanceled : ForwarderError.RequestTimedOut, e);
        }
        catch (Exception e)
        {
            return (ForwarderError.Request, e);
        }

        if (!head.HasPlainBody)
        {
            upstream.Close(); // the copying path asks again, and copies whatever framing the answer has
            return await copying.SendAsync(context, target, activityTimeout);
        }

        context.Response.StatusCode = head.StatusCode;
        using (var response = ResponseOf(head))
        {
            await ForwardingTransformer.Instance.TransformResponseAsync(context, response, activity.Token);
        }

        var length = head.ContentLength!.Value;
        context.Response.ContentLength = length;
        var early = received.AsMemory(0, (int)Math.Min(received.Count, length)); // body bytes that came with the head
        return await SendBodyAsync(context, client, upstream, early, length, activity, activityTimeout, target);
    }

    /// <summary>The client's socket when this request can be spliced: a GET over plain HTTP/1.1 to a plain http target.</summary>
    private static Socket? ClientSocketOf(HttpContext context, string target) =>
        HttpMethods.IsGet(context.Request.Method) && HttpProtocol.IsHttp11(context.Request.Protocol) && !context.Request.IsHttps
            && context.Features.Get<ITlsConnectionFeature>() is null
            && target.StartsWith("http://", StringComparison.Ordinal)
            && context.Features.Get<IConnectionSocketFeature>()?.Socket is { ProtocolType: ProtocolType.Tcp } socket ? socket : null;

    /// <summary>The request as HTTP/1.1 text, with <c>Connection: close</c>; null when a header is not plain ASCII (the copying path decides).</summary>
    private static byte[]? RequestHeadOf(HttpRequestMessage request)
    {
        var uri = request.RequestUri!;
        var text = new StringBuilder().Append(request.Method.Method).Append(' ').Append(uri.PathAndQuery).Append(" HTTP/1.1\r\nHost: ").Append(uri.Authority).Append("\r\n");
        foreach (var (name, values) in request.Headers.NonValidated)
        {
            foreach (var value in values)
            {
                if (!IsFieldText(name) || !IsFieldText(value)) return null;
                text.Append(name).Append(": ").Append(value).Append("\r\n");
            }
        }

        return Encoding.ASCII.GetBytes(text.Append("Connection: close\r\n\r\n").ToString());
    }

    private static async Task<(UpstreamResponseHead Head, ArraySegment<byte> Early)> ReadHeadAsync(Socket upstream, CancellationToken cancellationToken)
    {
        var buffer = new byte[UpstreamResponseHead.MaxBytes];
        var filled = 0;
        while (true)
        {
            var read = await upstream.ReceiveAsync(buffer.AsMemory(filled), SocketFlags.None, cancellationToken);
            if (read == 0) throw new IOException("The owning gateway closed the connection before its answer's head ended.");
            filled += read;
            if (UpstreamResponseHead.TryParse(buffer.AsSpan(0, filled), out var length) is { } head) return (head, new ArraySegment<byte>(buffer, length, filled - length));
        }
    }

    /// <summary>The head as a response message, for the <see cref="ForwardingTransformer"/>'s rules.</summary>
    private static HttpResponseMessage ResponseOf(UpstreamResponseHead head)
    {
        var response = new HttpResponseMessage((HttpStatusCode)head.StatusCode) { Content = new ByteArrayContent([]) };
        foreach (var (name, value) in head.Fields)
        {
            if (!response.Headers.TryAddWithoutValidation(name, value)) response.Content.Headers.TryAddWithoutValidation(name, value);
        }

        return response;
    }

    /// <summary>The response head as this gateway sends it: the status, the transformed headers, and the end of the connection.</summary>
    private static byte[] ResponseHeadOf(HttpResponse response)
    {
        var text = new StringBuilder().Append("HTTP/1.1 ").Append(response.StatusCode).Append(' ').Append(ReasonPhrases.GetReasonPhrase(response.StatusCode)).Append("\r\n");
        foreach (var (name, values) in response.Headers)
        {
            if (name.Equals("Connection", StringComparison.OrdinalIgnoreCase)) continue;
            foreach (var value in values.OfType<string>())
            {
                // Read strictly from the owning gateway, or set by this gateway's own code: never anything else.
                if (!IsFieldText(name) || !IsFieldText(value)) throw new InvalidOperationException($"Response header {name} is not plain ASCII.");
                text.Append(name).Append(": ").Append(value).Append("\r\n");
            }
        }

        return Encoding.ASCII.GetBytes(text.Append("Connection: close\r\n\r\n").ToString());
    }

    private async Task<(ForwarderError, Exception?)> SendBodyAsync(
        HttpContext context, Socket client, Socket upstream, ReadOnlyMemory<byte> early, long length, CancellationTokenSource activity, TimeSpan activityTimeout, string target)
    {
        var token = activity.Token;
        var clientLeft = false;
        try
        {
            var head = ResponseHeadOf(context.Response);
            var first = new byte[head.Length + early.Length];
            head.CopyTo(first, 0);
            early.CopyTo(first.AsMemory(head.Length));
            clientLeft = true; // until the head is out, a failure is the client's
            await SendAllAsync(client, first, token);
            clientLeft = false;

            using var pipe = new KernelPipe(PipeBytes);
            var from = upstream.SafeHandle;
            var to = client.SafeHandle;
            var toRead = length - early.Length;
            long inPipe = 0;
            byte[]? piece = null;
            var readableAt = ReadableAt(upstream, Math.Min(toRead, ReadableAtBytes));
            while (toRead > 0 || inPipe > 0)
            {
                bool upstreamWaits = false, clientWaits = false;
                if (toRead > 0 && inPipe < pipe.Capacity)
                {
                    var moved = SiloLibC.Splice(from, pipe.Writer, Math.Min(toRead, pipe.Capacity - inPipe), SiloLibC.SpliceMoveNonBlocking, out var errno);
                    if (moved == 0) throw new ShortForwardedBodyException(toRead + inPipe);
                    if (moved < 0 && errno != SiloLibC.EAGAIN) throw new IOException($"splice from the owning gateway failed: errno {errno}");
                    upstreamWaits = moved < 0;
                    toRead -= Math.Max(moved, 0);
                    inPipe += Math.Max(moved, 0);
                }

                if (inPipe > 0)
                {
                    var more = toRead > 0 ? SiloLibC.SpliceMore : 0;
                    var moved = SiloLibC.Splice(pipe.Reader, to, inPipe, SiloLibC.SpliceMoveNonBlocking | more, out var errno);
                    if (moved < 0 && errno != SiloLibC.EAGAIN)
                    {
                        clientLeft = true;
                        throw new IOException($"splice to the client failed: errno {errno}");
                    }

                    clientWaits = moved < 0;
                    if (moved > 0)
                    {
                        inPipe -= moved;
                        activity.CancelAfter(activityTimeout);
                    }
                }

                if (clientWaits && (upstreamWaits || toRead == 0 || inPipe == pipe.Capacity))
                {
                    // Both sides would block, or only the client can take more: wait for the client's room by
                    // sending a small piece the ordinary way.
                    piece ??= new byte[WaitPieceBytes];
                    var read = SiloLibC.Read(pipe.Reader, piece, out var errno);
                    if (read <= 0) throw new IOException($"read from the pipe failed: errno {errno}");
                    inPipe -= read;
                    clientLeft = true;
                    await SendAllAsync(client, piece.AsMemory(0, read), token);
                    clientLeft = false;
                    activity.CancelAfter(activityTimeout);
                }
                else if (upstreamWaits && inPipe == 0)
                {
                    if (toRead < readableAt) readableAt = ReadableAt(upstream, toRead); // the last bytes must wake it too
                    await upstream.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None, token); // until the owning gateway has more (or ends)
                }
            }

            // Kestrel knows nothing of this body: the connection ends here, once the client has all of it.
            client.Shutdown(SocketShutdown.Send);
            await DrainedAsync(client, token);
            context.Abort();
            return (ForwarderError.None, null);
        }
        catch (ShortForwardedBodyException e)
        {
            LogBodyCut(logger, target, e.Missing);
            context.Abort(); // the client sees a body shorter than its Content-Length, never a whole one
            return (ForwarderError.ResponseBodyDestination, e);
        }
        catch (Exception e) when (clientLeft || context.RequestAborted.IsCancellationRequested || e is ObjectDisposedException)
        {
            context.Abort();
            return (ForwarderError.ResponseBodyClient, e);
        }
        catch (Exception e)
        {
            context.Abort();
            return (activity.IsCancellationRequested ? ForwarderError.ResponseBodyCanceled : ForwarderError.ResponseBodyDestination, e);
        }
    }

    /// <summary>Sets the socket's low-water mark for reading (SO_RCVLOWAT) to <paramref name="bytes"/>, at least 1; what it is now.</summary>
    private static long ReadableAt(Socket socket, long bytes)
    {
        var mark = (int)Math.Max(1, bytes);
        socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReceiveLowWater, mark);
        return mark;
    }

    /// <summary>Waits until the client has acknowledged every byte queued on its socket, as long as it keeps acknowledging.</summary>
    private static async Task DrainedAsync(Socket client, CancellationToken cancellationToken)
    {
        var stalledSince = Environment.TickCount64;
        var last = int.MaxValue;
        var pause = 1;
        while (SiloLibC.UnacknowledgedBytes(client.SafeHandle) is > 0 and var queued)
        {
            if (queued < last) (last, stalledSince) = (queued, Environment.TickCount64);
            else if (Environment.TickCount64 - stalledSince > DrainStall.TotalMilliseconds) return;
            await Task.Delay(pause, cancellationToken);
            pause = Math.Min(pause * 2, 50);
        }
    }

    private static async Task SendAllAsync(Socket socket, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        while (!bytes.IsEmpty) bytes = bytes[await socket.SendAsync(bytes, SocketFlags.None, cancellationToken)..];
    }

    /// <summary>Visible ASCII, spaces and tabs: what may stand in a header line.</summary>
    private static bool IsFieldText(string text) => !text.AsSpan().ContainsAnyExcept(FieldText);

    [LoggerMessage(EventName = "ForwardedHeadRefused", Level = LogLevel.Warning,
        Message = "The gateway at {Target} answered a forwarded download with a head this gateway refuses ({Reason}); the download goes through Orleans messaging")]
    private static partial void LogHeadRefused(ILogger logger, string target, string reason);

    [LoggerMessage(EventName = "ForwardedBodyCut", Level = LogLevel.Warning,
        Message = "The gateway at {Target} ended a forwarded download {Missing} bytes short of the length it announced; the client's connection was aborted")]
    private static partial void LogBodyCut(ILogger logger, string target, long missing);
}
