using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CoreFileProfiler.IntegrationTests.Support;

namespace CoreFileProfiler.IntegrationTests;

/// <summary>
/// Processor calls racing for the node's last slots (Profiler:MaxSessions): the node opens exactly as many
/// sessions as it admits, refuses the rest with a 503 that says why, and admits new ones once sessions end.
/// </summary>
public sealed class SessionLimitTests(SessionLimitFixture fixture) : IClassFixture<SessionLimitFixture>
{
    private const int Limit = SessionLimitFixture.MaxSessions;
    private const int Extra = 6;
    private const string Pod = "limit-pod";

    [Fact]
    public async Task Concurrent_calls_beyond_the_limit_open_exactly_the_limit_and_the_slots_come_back_when_sessions_end()
    {
        await fixture.CrashIntoAsync(Pod, "app");

        var (opened, refused) = await RaceAsync(Limit + Extra);
        Assert.Equal(Limit, opened.Count);
        Assert.Equal(Extra, refused.Count);
        Assert.Equal(Limit, await LiveSessionsAsync());
        foreach (var problem in refused)
        {
            Assert.Equal(503, problem.GetProperty("status").GetInt32());
            Assert.Contains($"has reached its limit of {Limit} live sessions", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        // Every opened session is real and answers.
        foreach (var session in opened)
        {
            using var described = await fixture.Silo.Http.GetAsync(session + "api");
            Assert.Equal(HttpStatusCode.OK, described.StatusCode);
        }

        foreach (var session in opened)
        {
            using var closed = await fixture.Silo.Http.DeleteAsync(session);
            Assert.True(closed.IsSuccessStatusCode, $"DELETE {(int)closed.StatusCode}");
        }

        // The ended sessions give their slots back (the node hears of each end a moment later): the same race again opens the limit again, no more.
        await WaitForLiveSessionsAsync(0);
        var (reopened, refusedAgain) = await RaceAsync(Limit + Extra);
        Assert.Equal(Limit, reopened.Count);
        Assert.Equal(Extra, refusedAgain.Count);

        foreach (var session in reopened) (await fixture.Silo.Http.DeleteAsync(session)).Dispose();
        await WaitForLiveSessionsAsync(0);
    }

    private async Task<int> LiveSessionsAsync() =>
        (await ClusterFixture.AdminGetAsync(fixture.Silo, "/api/nodes")).EnumerateArray().Single().GetProperty("liveSessions").GetInt32();

    private async Task WaitForLiveSessionsAsync(int expected)
    {
        var clock = Stopwatch.StartNew();
        int live;
        while ((live = await LiveSessionsAsync()) != expected && clock.Elapsed < TimeSpan.FromSeconds(10)) await Task.Delay(50);
        Assert.Equal(expected, live);
    }

    /// <summary>Fires <paramref name="calls"/> processor calls at once: the session paths opened, and the problems of the refused.</summary>
    private async Task<(List<string> Opened, List<JsonElement> Refused)> RaceAsync(int calls)
    {
        using var start = new SemaphoreSlim(0);
        var racing = Enumerable.Range(0, calls).Select(async _ =>
        {
            await start.WaitAsync();
            return await fixture.PostProcessorAsync(SiloFixture.CoredumpRequest(Pod, "app"));
        }).ToList();
        start.Release(calls);
        var responses = await Task.WhenAll(racing);

        var opened = new List<string>();
        var refused = new List<JsonElement>();
        foreach (var response in responses)
        {
            using (response)
            {
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    var result = await response.Content.ReadFromJsonAsync<Dictionary<string, string>>();
                    opened.Add(new Uri(result![SiloFixture.ResultKey]).AbsolutePath);
                }
                else
                {
                    Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
                    Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                    refused.Add(await response.Content.ReadFromJsonAsync<JsonElement>());
                }
            }
        }

        return (opened, refused);
    }
}
