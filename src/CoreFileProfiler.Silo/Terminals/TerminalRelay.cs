using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using System.Threading.Channels;
using CoreFileProfiler.Silo.Hosting;

namespace CoreFileProfiler.Silo.Terminals;

/// <summary>
/// Joins one viewer's WebSocket to a terminal of a session grain, wherever the grain lives.
/// Output is pulled without pause (a paused Orleans enumeration is lost) into
/// this viewer's own queue; a viewer too slow to drain it (<paramref name="maxBacklogBytes"/>) is
/// disconnected and reconnects from the scrollback. Input is read one message at a time and only once
/// the terminal has taken the last, so a full input queue stops reading the socket. All sends, the
/// closing frame included, happen in one loop.
/// </summary>
internal sealed partial class TerminalRelay(
    WebSocket socket, ITerminalLink link, IDebugSessionGrain session, string terminalId, long maxBacklogBytes, ILogger logger, LiveAttachAudit? audit = null)
{
    public const int MaxMessageBytes = 64 << 10;
    private const int MaxFrameBytes = 256 << 10;
    private const int MaxCloseReasonBytes = 123; // RFC 6455

    private readonly Channel<byte[]> _outbound = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true });
    private (WebSocketCloseStatus Status, string Reason)? _end;
    private long _backlog;

    public async Task RunAsync(CancellationToken aborted)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        var pulling = PullOutputAsync(stop.Token);
        var receiving = ReceiveInputAsync(stop.Token);
        try
        {
            var frame = new ArrayBufferWriter<byte>(MaxFrameBytes);
            while (await _outbound.Reader.WaitToReadAsync(stop.Token))
            {
                // A terminal writes in pieces of a few KiB; what is already queued goes out as one frame.
                frame.ResetWrittenCount();
                while (frame.WrittenCount < MaxFrameBytes && _outbound.Reader.TryRead(out var chunk))
                {
                    frame.Write(chunk);
                    Interlocked.Add(ref _backlog, -chunk.Length);
                }

                await socket.SendAsync(frame.WrittenMemory, WebSocketMessageType.Binary, endOfMessage: true, stop.Token);
            }

            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived && _end is var (status, reason))
            {
                using var closing = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await socket.CloseAsync(status, Truncate(reason), closing.Token);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
            // the viewer went away
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(pulling, receiving);
        }
    }

    private async Task PullOutputAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var chunk in link.Output(cancellationToken))
            {
                if (Interlocked.Add(ref _backlog, chunk.Length) > maxBacklogBytes)
                {
                    End((ClassifiedError.TryAgainLater, "This viewer fell too far behind; reconnecting replays the scrollback."));
                    return;
                }

                _outbound.Writer.TryWrite(chunk);
            }

            End(await EndReasonAsync());
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // the viewer left first
        }
        catch (Exception e)
        {
            var error = ErrorClassifier.Classify(e);
            if (error.IsRefusal)
            {
                // E.g. the terminal has all the viewers it admits: this one came past the gateway's check in a race.
                if (error.Status == StatusCodes.Status503ServiceUnavailable) LogRefused(logger, CapabilityHash.Of(terminalId), error.Detail);
                End(error.WebSocketClose);
                return;
            }

            // The stream was lost: the session ended (its grain deactivated mid-stream) or its node went away.
            logger.Log(error.LogLevel == LogLevel.Error ? LogLevel.Error : LogLevel.Debug, e, "Terminal {TerminalHash} output stream ended", CapabilityHash.Of(terminalId));
            End(await EndReasonAsync());
        }
    }

    private async Task ReceiveInputAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[MaxMessageBytes];
        try
        {
            while (true)
            {
                var length = 0;
                ValueWebSocketReceiveResult received;
                do
                {
                    if (length == buffer.Length)
                    {
                        End((WebSocketCloseStatus.MessageTooBig, $"Messages are limited to {MaxMessageBytes >> 10} KiB."));
                        return;
                    }

                    received = await socket.ReceiveAsync(buffer.AsMemory(length), cancellationToken);
                    if (received.MessageType == WebSocketMessageType.Close)
                    {
                        End((WebSocketCloseStatus.NormalClosure, ""));
                        return;
                    }

                    length += received.Count;
                }
                while (!received.EndOfMessage);

                if (received.MessageType != WebSocketMessageType.Text)
                {
                    End((WebSocketCloseStatus.InvalidMessageType, "Send JSON text messages: input or resize."));
                    return;
                }

                if (TerminalMessage.Parse(buffer.AsSpan(0, length), out var problem) is not { } message)
                {
                    End((WebSocketCloseStatus.PolicyViolation, problem));
                    return;
                }

                if (message.IsInput)
                {
                    audit?.Typed(message.Input!);
                    await link.Input(message.Input!, cancellationToken); // waits while the terminal's input queue is full
                }
                else
                {
                    await link.Resize(message.Cols, message.Rows);
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
            // the viewer went away
        }
        catch (Exception e)
        {
            var error = ErrorClassifier.Classify(e, SessionNode);
            if (error.LogLevel == LogLevel.Error) logger.LogError(e, "Terminal {TerminalHash} input failed", CapabilityHash.Of(terminalId));
            else if (error is { IsRefusal: true, Status: StatusCodes.Status503ServiceUnavailable }) LogRefused(logger, CapabilityHash.Of(terminalId), error.Detail);
            // What this viewer sent was refused (a bad size, input flooding a full queue): sending it again after
            // a reconnect would not help, so that is a policy violation whatever its status. A session gone or a
            // node unreachable closes as classified (1001, 1013).
            End(error.IsRefusal && error.Status is not (StatusCodes.Status404NotFound or StatusCodes.Status410Gone)
                ? (WebSocketCloseStatus.PolicyViolation, error.Detail)
                : error.WebSocketClose);
        }
        finally
        {
            audit?.Flush();
        }
    }

    /// <summary>Why the output ended, asked of the session: gdb exited (1000), or the session's or node's failure as classified.</summary>
    private async Task<(WebSocketCloseStatus Status, string Reason)> EndReasonAsync()
    {
        try
        {
            var terminal = await session.GetTerminal(terminalId);
            return terminal.EndReason is { } reason
                ? (WebSocketCloseStatus.NormalClosure, reason)
                : (ClassifiedError.TryAgainLater, "The terminal's output was interrupted; reconnecting replays the scrollback.");
        }
        catch (Exception e)
        {
            return ErrorClassifier.Classify(e, SessionNode).WebSocketClose;
        }
    }

    /// <summary>The node of the terminal's session, to name it when it is unreachable.</summary>
    private string SessionNode => NodeName.OfGrainKey(session.GetPrimaryKeyString());

    [LoggerMessage(EventName = "TerminalViewerDisconnected", Level = LogLevel.Warning, Message = "Terminal {TerminalHash} disconnected a viewer: {Reason}")]
    private static partial void LogRefused(ILogger logger, string terminalHash, string reason);

    private void End((WebSocketCloseStatus Status, string Reason) close)
    {
        lock (_outbound) _end ??= close; // the first side to end says why
        _outbound.Writer.TryComplete();
    }

    private static string Truncate(string reason)
    {
        if (Encoding.UTF8.GetByteCount(reason) <= MaxCloseReasonBytes) return reason;
        while (Encoding.UTF8.GetByteCount(reason) > MaxCloseReasonBytes - 3) reason = reason[..^1];
        return reason + "...";
    }
}
