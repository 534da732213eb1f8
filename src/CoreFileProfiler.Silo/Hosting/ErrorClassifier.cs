using CoreFileProfiler.Node;
using CoreFileProfiler.Node.Cores;
using Orleans.Runtime;

namespace CoreFileProfiler.Silo.Hosting;

/// <summary>
/// The one place an exception becomes what the client is told: the exception handler's problem
/// (docs/architecture.md, Where an exception becomes a status), the processor's metric label and a
/// terminal WebSocket's close all come from <see cref="Classify"/>, so "unavailable" means the same
/// everywhere.
/// </summary>
public static class ErrorClassifier
{
    /// <summary>nginx's status for a request whose client went away before the answer; never sent.</summary>
    public const int ClientClosedRequest = 499;

    private const string Bug = "The profiler failed unexpectedly; the failure was logged.";

    /// <param name="node">The node the failed call was for, to name it when it is unreachable; null when unknown.</param>
    /// <param name="clientLeft">The request's own cancellation fired: a cancellation then means the client went away.</param>
    public static ClassifiedError Classify(Exception exception, string? node = null, bool clientLeft = false) => exception switch
    {
        ProfilerException e => Refused(e.Error, e.Message),
        // The node's own limits (viewers, gdb processes, input queue, free space): its message names the setting.
        LimitReachedException or InsufficientSpaceException => Refused(ProfilerError.Unavailable, exception.Message),
        BadHttpRequestException e => new(e.StatusCode, "invalid", e.Message, IsRefusal: true, LogLevel.Debug),
        OperationCanceledException when clientLeft => new(ClientClosedRequest, "cancelled", "The client went away.", IsRefusal: false, LogLevel.Debug),
        // Orleans could not deliver the call or its answer: the node's silo is gone, restarting or unreachable
        // (OrleansMessageRejectionException, SiloUnavailableException, ConnectionFailedException, a response
        // timeout, a stream cut off). Its message names grains, which may carry a session id: never shown.
        OrleansException or TimeoutException or EnumerationAbortedException =>
            new(StatusCodes.Status503ServiceUnavailable, "unavailable", $"{(node is null ? "The node that owns this resource" : $"Node '{node}'")} is unavailable; try again shortly.", IsRefusal: false, LogLevel.Warning),
        _ => new(StatusCodes.Status500InternalServerError, "error", Bug, IsRefusal: false, LogLevel.Error),
    };

    private static ClassifiedError Refused(ProfilerError error, string message) => error switch
    {
        ProfilerError.InvalidParameter => new(StatusCodes.Status400BadRequest, "invalid", message, IsRefusal: true, LogLevel.Debug),
        ProfilerError.Forbidden => new(StatusCodes.Status403Forbidden, "forbidden", message, IsRefusal: true, LogLevel.Debug),
        ProfilerError.NotFound => new(StatusCodes.Status404NotFound, "not_found", message, IsRefusal: true, LogLevel.Debug),
        ProfilerError.Gone => new(StatusCodes.Status410Gone, "gone", message, IsRefusal: true, LogLevel.Debug),
        // Unavailable, or a value a newer silo added during a rolling upgrade: its message still says why; try again.
        _ => new(StatusCodes.Status503ServiceUnavailable, "unavailable", message, IsRefusal: true, LogLevel.Warning),
    };
}
