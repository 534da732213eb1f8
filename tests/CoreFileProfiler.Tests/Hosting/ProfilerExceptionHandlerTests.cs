using System.Text.Json;
using CoreFileProfiler.Silo.Hosting;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;

namespace CoreFileProfiler.Tests.Hosting;

/// <summary>
/// The exception handler answers each row of <see cref="ErrorClassifierTests.Table"/> with the classifier's
/// status, as an <c>application/problem+json</c> body carrying that status and the classifier's detail.
/// </summary>
public sealed class ProfilerExceptionHandlerTests
{
    /// <summary>The table's failures, each with whether the client had left.</summary>
    public static TheoryData<Exception, bool, int> Failures
    {
        get
        {
            var failures = new TheoryData<Exception, bool, int>();
            foreach (var row in ErrorClassifierTests.Table) failures.Add((Exception)row[0], (bool)row[1], (int)row[2]);
            return failures;
        }
    }

    [Theory]
    [MemberData(nameof(Failures))]
    public async Task A_failure_is_answered_as_the_classifier_says(Exception failure, bool clientLeft, int status)
    {
        var (handled, response, body) = await HandleAsync(failure, clientLeft: clientLeft);

        Assert.True(handled);
        Assert.Equal(status, response.StatusCode);
        if (clientLeft)
        {
            Assert.Equal(0, response.Body.Length); // nobody to answer
            return;
        }

        Assert.StartsWith("application/problem+json", response.ContentType, StringComparison.Ordinal);
        Assert.Equal(status, body.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(body.GetProperty("title").GetString()));
        Assert.Equal(ErrorClassifier.Classify(failure).Detail, body.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task An_unavailable_node_is_named_from_the_session_id_in_the_route()
    {
        var id = SessionId.Create("node-b", DateTimeOffset.UtcNow);

        var (_, response, body) = await HandleAsync(new SiloUnavailableException(), new RouteValueDictionary { ["id"] = id });

        Assert.Equal(StatusCodes.Status503ServiceUnavailable, response.StatusCode);
        Assert.Equal("Node 'node-b' is unavailable; try again shortly.", body.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task An_unavailable_node_is_named_from_what_a_processor_call_recorded()
    {
        var (_, response, body) = await HandleAsync(new SiloUnavailableException(), node: "node-c");

        Assert.Equal(StatusCodes.Status503ServiceUnavailable, response.StatusCode);
        Assert.Equal("Node 'node-c' is unavailable; try again shortly.", body.GetProperty("detail").GetString());
    }

    private static async Task<(bool Handled, HttpResponse Response, JsonElement Body)> HandleAsync(
        Exception exception, RouteValueDictionary? route = null, bool clientLeft = false, string? node = null)
    {
        await using var services = new ServiceCollection().AddLogging().AddProblemDetails().BuildServiceProvider();
        var context = new DefaultHttpContext { RequestServices = services, RequestAborted = new CancellationToken(clientLeft) };
        context.Request.Method = "GET";
        context.Request.Path = "/sessions/x";
        context.Request.Headers.Accept = "application/json";
        context.Response.Body = new MemoryStream();
        context.Features.Set<IExceptionHandlerFeature>(new ExceptionHandlerFeature { Error = exception, Path = "/sessions/x", RouteValues = route });
        if (node is not null) ProfilerExceptionHandler.RecordNode(context, node);
        var handler = new ProfilerExceptionHandler(services.GetRequiredService<IProblemDetailsService>(), services.GetRequiredService<ILogger<ProfilerExceptionHandler>>());

        var handled = await handler.TryHandleAsync(context, exception, CancellationToken.None);

        context.Response.Body.Position = 0;
        var body = context.Response.Body.Length == 0 ? default : (await JsonDocument.ParseAsync(context.Response.Body)).RootElement;
        return (handled, context.Response, body);
    }
}
