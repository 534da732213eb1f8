using System.Net.WebSockets;

namespace CoreFileProfiler.Silo.Hosting;

/// <summary>One failure as every surface tells it (see <see cref="ErrorClassifier"/>).</summary>
/// <param name="Status">The HTTP status; <see cref="ErrorClassifier.ClientClosedRequest"/> when the client left and nobody is answered.</param>
/// <param name="Outcome">The metric label (<c>cfp.processor.calls</c>'s <c>outcome</c>).</param>
/// <param name="Detail">What the client is told: a refusal's own message, or words of ours when the exception's message is not meant for clients.</param>
/// <param name="IsRefusal">The request was refused for a reason its message names, as opposed to a call that was lost on the way or a bug.</param>
/// <param name="LogLevel">How loudly it is logged: a refusal of the user's request is routine, a node gone is a warning, a bug an error.</param>
public sealed record ClassifiedError(int Status, string Outcome, string Detail, bool IsRefusal, LogLevel LogLevel)
{
    /// <summary>RFC 6455's "try again later": the terminal page reconnects, and a reconnect replays the scrollback.</summary>
    public const WebSocketCloseStatus TryAgainLater = (WebSocketCloseStatus)1013;

    public bool ClientLeft => Status == ErrorClassifier.ClientClosedRequest;

    /// <summary>
    /// The same failure as a terminal WebSocket's close: gone or missing is final (1001), unavailable is
    /// "try again later" (1013, the page reconnects), another refusal a policy violation (1008), a bug 1011.
    /// </summary>
    public (WebSocketCloseStatus Status, string Reason) WebSocketClose => Status switch
    {
        StatusCodes.Status404NotFound or StatusCodes.Status410Gone => (WebSocketCloseStatus.EndpointUnavailable, Detail),
        StatusCodes.Status503ServiceUnavailable => (TryAgainLater, Detail),
        >= 400 and < 500 => (WebSocketCloseStatus.PolicyViolation, Detail),
        _ => (WebSocketCloseStatus.InternalServerError, Detail),
    };
}
