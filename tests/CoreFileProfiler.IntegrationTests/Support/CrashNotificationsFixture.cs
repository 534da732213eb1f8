using System.Net.Http.Json;
using System.Text.Json;
using CoreFileProfiler.Tests.Support;

namespace CoreFileProfiler.IntegrationTests.Support;

/// <summary>
/// A silo whose crash CloudEvents go to three real receivers: <see cref="Live"/> answers at once, a dead one
/// (a closed port) refuses connections, <see cref="Slow"/> answers after 30 s. Crashes are filed by the real
/// collector with a real core on stdin, as the kernel would pipe it, without changing core_pattern.
/// </summary>
public sealed class CrashNotificationsFixture : SiloFixture
{
    public CrashNotificationsFixture() : this(new WebhookReceiver(), new WebhookReceiver(delay: TimeSpan.FromSeconds(30)), WebhookReceiver.FreeLoopbackPort()) { }

    private CrashNotificationsFixture(WebhookReceiver live, WebhookReceiver slow, int deadPort)
        : base([$"--Profiler:Webhooks:0={live.Url}", $"--Profiler:Webhooks:1=http://127.0.0.1:{deadPort}/hook", $"--Profiler:Webhooks:2={slow.Url}"])
    {
        Live = live;
        Slow = slow;
        DeadPort = deadPort;
    }

    public WebhookReceiver Live { get; }

    public WebhookReceiver Slow { get; }

    public int DeadPort { get; }

    private int _nextPid = 5000;

    /// <summary>Crashes <paramref name="executable"/> for real and has the collector file the core under the pod, crashed now.</summary>
    public async Task<string> CollectCrashAsync(string executable, string pod, string container)
    {
        var (core, _) = await CrashingProgram.CrashAsync(executable, Path.Join(WorkDirectory, "crash-" + Guid.NewGuid().ToString("N")));
        var crash = new SyntheticCrash(Path.Join(WorkDirectory, "proc-" + Guid.NewGuid().ToString("N")), executable, Namespace, pod, container, Interlocked.Increment(ref _nextPid));
        var filed = await crash.CollectAsync(await File.ReadAllBytesAsync(core), Silo.CoreRoot, time: DateTimeOffset.UtcNow);
        File.Delete(core);
        return filed;
    }

    /// <summary>The container's crash group from <c>GET /api/crashes</c> once it has counted <paramref name="count"/> crashes.</summary>
    public async Task<JsonElement> CrashGroupAsync(string container, long count, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        var seen = "";
        while (DateTime.UtcNow < deadline)
        {
            using var response = await Silo.Http.GetAsync("/api/crashes");
            seen = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
            if (response.IsSuccessStatusCode)
            {
                var group = (await response.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray()
                    .FirstOrDefault(g => g.GetProperty("namespace").GetString() == Namespace && g.GetProperty("container").GetString() == container);
                if (group.ValueKind == JsonValueKind.Object && group.GetProperty("count").GetInt64() >= count) return group;
            }

            await Task.Delay(250);
        }

        throw new TimeoutException($"/api/crashes had no group of {Namespace}/{container} with {count} crashes within {within.TotalSeconds} s; it answered {seen}\nThe silo logged:\n{Silo.LogTail()}");
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Live.DisposeAsync();
        await Slow.DisposeAsync();
    }
}
