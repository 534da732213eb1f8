using System.Net.WebSockets;
using System.Reflection;
using CoreFileProfiler.Node;
using CoreFileProfiler.Node.Cores;
using CoreFileProfiler.Silo.Hosting;
using Microsoft.AspNetCore.Http;
using Orleans.Runtime;
using Orleans.Runtime.Messaging;

namespace CoreFileProfiler.Tests.Hosting;

/// <summary>
/// The refusal table: every failure a request can meet, and what each surface makes of it: the HTTP
/// status, the processor's metric label and a terminal WebSocket's close, all from the one classifier.
/// </summary>
public sealed class ErrorClassifierTests
{
    /// <summary>What the client is told: the exception's own message, words naming the node, or nothing of the exception.</summary>
    public enum Told { OwnMessage, NodeUnavailable, Nothing }

    private const string Capability = "node-a.AAAAAAAAAAAAAAAAAAAAAAAAAAAA";

    public static TheoryData<Exception, bool, int, string, WebSocketCloseStatus, Told> Table => new()
    {
        { ProfilerException.Invalid("pid must be a whole number."), false, 400, "invalid", WebSocketCloseStatus.PolicyViolation, Told.OwnMessage },
        { ProfilerException.Forbidden("a target wider than one pod needs the admin token."), false, 403, "forbidden", WebSocketCloseStatus.PolicyViolation, Told.OwnMessage },
        { ProfilerException.NotFound("no such pod."), false, 404, "not_found", WebSocketCloseStatus.EndpointUnavailable, Told.OwnMessage },
        { ProfilerException.Gone("the session ended."), false, 410, "gone", WebSocketCloseStatus.EndpointUnavailable, Told.OwnMessage },
        { ProfilerException.Unavailable("the node is at its session limit."), false, 503, "unavailable", (WebSocketCloseStatus)1013, Told.OwnMessage },
        // The placement director's refusal when no live silo claims the node.
        { ProfilerException.Unavailable("Node 'node-b' is unavailable: no profiler silo of the cluster runs there."), false, 503, "unavailable", (WebSocketCloseStatus)1013, Told.OwnMessage },
        // An error a newer silo added during a rolling upgrade.
        { new ProfilerException((ProfilerError)99, "a refusal this silo does not know yet."), false, 503, "unavailable", (WebSocketCloseStatus)1013, Told.OwnMessage },
        { new LimitReachedException("This node already runs 8 gdb and gcore processes (Profiler:MaxGdbProcesses)."), false, 503, "unavailable", (WebSocketCloseStatus)1013, Told.OwnMessage },
        { new InsufficientSpaceException("core was not decompressed for gdb: Profiler:MinFreeSpace."), false, 503, "unavailable", (WebSocketCloseStatus)1013, Told.OwnMessage },
        { new BadHttpRequestException("body too large", StatusCodes.Status413PayloadTooLarge), false, 413, "invalid", WebSocketCloseStatus.PolicyViolation, Told.OwnMessage },
        { new BadHttpRequestException("body too slow", StatusCodes.Status408RequestTimeout), false, 408, "invalid", WebSocketCloseStatus.PolicyViolation, Told.OwnMessage },
        // Orleans failing to deliver a call: their messages name grains, so a session id, and are never shown.
        { Orleans<OrleansMessageRejectionException>($"Forwarding failed for debugsession/{Capability}"), false, 503, "unavailable", (WebSocketCloseStatus)1013, Told.NodeUnavailable },
        { new SiloUnavailableException($"silo gone; debugsession/{Capability}"), false, 503, "unavailable", (WebSocketCloseStatus)1013, Told.NodeUnavailable },
        { Orleans<ConnectionFailedException>($"connection refused; debugsession/{Capability}"), false, 503, "unavailable", (WebSocketCloseStatus)1013, Told.NodeUnavailable },
        { new TimeoutException($"Response did not arrive on time for debugsession/{Capability}"), false, 503, "unavailable", (WebSocketCloseStatus)1013, Told.NodeUnavailable },
        { Orleans<EnumerationAbortedException>($"enumeration of debugsession/{Capability} aborted"), false, 503, "unavailable", (WebSocketCloseStatus)1013, Told.NodeUnavailable },
        { Orleans<OrleansLifecycleCanceledException>($"the silo is stopping; debugsession/{Capability}"), false, 503, "unavailable", (WebSocketCloseStatus)1013, Told.NodeUnavailable },
        // The client went away: counted, answered to nobody.
        { new OperationCanceledException(), true, 499, "cancelled", WebSocketCloseStatus.InternalServerError, Told.Nothing },
        { new TaskCanceledException(), true, 499, "cancelled", WebSocketCloseStatus.InternalServerError, Told.Nothing },
        // Anything else is a bug: a logged 500 whose detail carries nothing of the exception.
        { new OperationCanceledException($"{Capability} cancelled by nobody"), false, 500, "error", WebSocketCloseStatus.InternalServerError, Told.Nothing },
        { new InvalidOperationException($"session {Capability} broke"), false, 500, "error", WebSocketCloseStatus.InternalServerError, Told.Nothing },
        { new KeyNotFoundException(), false, 500, "error", WebSocketCloseStatus.InternalServerError, Told.Nothing },
    };

    [Fact]
    public void The_table_names_every_profiler_error() =>
        Assert.Subset(
            Table.Select(row => row[0]).OfType<ProfilerException>().Select(e => e.Error).ToHashSet(),
            Enum.GetValues<ProfilerError>().ToHashSet());

    [Theory]
    [MemberData(nameof(Table))]
    public void Each_failure_has_one_status_label_and_close(Exception failure, bool clientLeft, int status, string outcome, WebSocketCloseStatus close, Told told)
    {
        var error = ErrorClassifier.Classify(failure, "node-b", clientLeft);

        Assert.Equal((status, outcome), (error.Status, error.Outcome));
        if (!error.ClientLeft) Assert.Equal(close, error.WebSocketClose.Status);
        Assert.Equal(error.Detail, error.WebSocketClose.Reason);
        Assert.Equal(told == Told.OwnMessage, error.IsRefusal);
        switch (told)
        {
            case Told.OwnMessage:
                Assert.Equal(failure.Message, error.Detail);
                break;
            case Told.NodeUnavailable:
                Assert.Equal("Node 'node-b' is unavailable; try again shortly.", error.Detail);
                break;
            default:
                Assert.DoesNotContain(failure.Message, error.Detail, StringComparison.Ordinal);
                break;
        }

        Assert.DoesNotContain(Capability, error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unreachable_node_that_is_not_known_is_described_without_a_name() =>
        Assert.Equal("The node that owns this resource is unavailable; try again shortly.", ErrorClassifier.Classify(new SiloUnavailableException()).Detail);

    /// <summary>Orleans exceptions whose constructors are not public: made as Orleans makes them.</summary>
    private static Exception Orleans<T>(string message) where T : Exception =>
        (Exception)Activator.CreateInstance(typeof(T), BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic, null, [message], null)!;
}
