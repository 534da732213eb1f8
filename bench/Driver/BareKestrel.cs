using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace CoreFileProfiler.Bench;

/// <summary>
/// The machine's own limit for the processor call: Kestrel answering the processor's path with the
/// same JSON (one result URL of a session id's length), with nothing behind it, so the processor's
/// throughput can be read as a fraction of what this HTTP stack can do here at all.
/// </summary>
public static class BareKestrel
{
    public static async Task RunAsync(string url)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(url);
        var app = builder.Build();
        var result = new Dictionary<string, string>
        {
            [ProfilerClient.ResultKey] = $"{url.TrimEnd('/')}/sessions/bench.{new string('A', 28)}/",
        };
        app.MapPost("/processor/coreFileProfiler", async (HttpRequest request) =>
        {
            // Read the body as the processor must, then answer.
            await request.Body.CopyToAsync(Stream.Null);
            return TypedResults.Ok(result);
        });
        await app.RunAsync();
    }
}
