using System.Reflection;
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
/// The refusal table: every error a caller can be refused with becomes the status the HTTP contract
/// gives it, as an <c>application/problem+json</c> body carrying that status and the reason; a bug
/// is left to the default 500.
/// </summary>
public sealed class ProfilerExceptionHandlerTests
{
    public static TheoryData<Exception, int> Refusals => new()
    {
        { ProfilerException.Invalid("pid must be a whole number."), StatusCodes.Status400BadRequest },
        { ProfilerException.Forbidden("a target wider than one pod needs the admin token."), StatusCodes.Status403Forbidden },
        { ProfilerException.NotFound("no such pod."), StatusCodes.Status404NotFound },
        { ProfilerException.Gone("the session ended."), StatusCodes.Status410Gone },
        { ProfilerException.Unavailable("the node is at its session limit."), StatusCodes.Status503ServiceUnavailable },
        { OrleansRejection("silo gone"), StatusCodes.Status503ServiceUnavailable },
        { new SiloUnavailableException("silo gone"), StatusCodes.Status503ServiceUnavailable },
        { new TimeoutException("no answer"), StatusCodes.Status503ServiceUnavailable },
        { new BadHttpRequestException("body too large", StatusCodes.Status413PayloadTooLarge), StatusCodes.Status413PayloadTooLarge },
        { new BadHttpRequestException("body too slow", StatusCodes.Status408RequestTimeout), StatusCodes.Status408RequestTimeout },
    };

    [Fact]
    public void The_table_names_every_profiler_error() =>
        Assert.Equal(
            Enum.GetValues<ProfilerError>().Order(),
            Refusals.Select(row => row[0]).OfType<ProfilerException>().Select(e => e.Error).Order());

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task A_refusal_is_a_problem_with_its_status(Exception refusal, int status)
    {
        var (handled, response, body) = await HandleAsync(refusal);

        Assert.True(handled);
        Assert.Equal(status, response.StatusCode);
        Assert.StartsWith("application/problem+json", response.ContentType, StringComparison.Ordinal);
        Assert.Equal(status, body.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(body.GetProperty("title").GetString()));
        var detail = body.GetProperty("detail").GetString();
        if (refusal is ProfilerException or BadHttpRequestException) Assert.Equal(refusal.Message, detail);
        else Assert.Equal("The node that owns this resource is unavailable; try again shortly.", detail);
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
    public async Task A_bug_is_left_to_the_default_500()
    {
        var (handled, response, _) = await HandleAsync(new InvalidOperationException("a bug"));

        Assert.False(handled);
        Assert.Equal(0, response.Body.Length);
    }

    /// <summary>What Orleans throws when it cannot deliver a call to a silo (its constructors are internal).</summary>
    private static Exception OrleansRejection(string message) =>
        (Exception)Activator.CreateInstance(typeof(OrleansMessageRejectionException), BindingFlags.Instance | BindingFlags.NonPublic, null, [message], null)!;

    private static async Task<(bool Handled, HttpResponse Response, JsonElement Body)> HandleAsync(Exception exception, RouteValueDictionary? route = null)
    {
        await using var services = new ServiceCollection().AddLogging().AddProblemDetails().BuildServiceProvider();
        var context = new DefaultHttpContext { RequestServices = services };
        context.Request.Method = "GET";
        context.Request.Path = "/sessions/x";
        context.Request.Headers.Accept = "application/json";
        context.Response.Body = new MemoryStream();
        context.Features.Set<IExceptionHandlerFeature>(new ExceptionHandlerFeature { Error = exception, Path = "/sessions/x", RouteValues = route });
        var handler = new ProfilerExceptionHandler(services.GetRequiredService<IProblemDetailsService>(), services.GetRequiredService<ILogger<ProfilerExceptionHandler>>());

        var handled = await handler.TryHandleAsync(context, exception, CancellationToken.None);

        context.Response.Body.Position = 0;
        var body = context.Response.Body.Length == 0 ? default : (await JsonDocument.ParseAsync(context.Response.Body)).RootElement;
        return (handled, context.Response, body);
    }
}
