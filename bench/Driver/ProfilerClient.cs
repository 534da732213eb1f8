using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;

namespace CoreFileProfiler.Bench;

/// <summary>The profiler's HTTP contract, as the benchmark drives it.</summary>
public sealed class ProfilerClient(HttpClient http)
{
    public const string Parameter = "param.diagnoser.runtime.core_file_profiler.";
    public const string ResultKey = "diagnoser.runtime.core_file_profiler.result.endpoint";

    public HttpClient Http => http;

    public static Dictionary<string, string> CoredumpBody(string filepath, int seconds, string? node = null)
    {
        var body = new Dictionary<string, string>
        {
            [Parameter + "type"] = "coredump",
            [Parameter + "expiration_seconds"] = seconds.ToString(CultureInfo.InvariantCulture),
            [Parameter + "filepath"] = filepath,
        };
        if (node is not null) body["node"] = node;
        return body;
    }

    /// <summary>Opens a session; its path ("/sessions/&lt;id&gt;/").</summary>
    public async Task<string> OpenSessionAsync(Dictionary<string, string> body)
    {
        using var response = await http.PostAsJsonAsync("/processor/coreFileProfiler", body);
        response.EnsureSuccessStatusCode();
        var result = await response.Content.ReadFromJsonAsync<Dictionary<string, string>>();
        return new Uri(result![ResultKey]).AbsolutePath;
    }

    /// <summary>Opens a gdb terminal on <paramref name="file"/>; its WebSocket URL on this gateway.</summary>
    public async Task<string> OpenTerminalAsync(string session, string file)
    {
        using var response = await http.PostAsJsonAsync(session + "terminals", new { file });
        response.EnsureSuccessStatusCode();
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        return $"ws://{http.BaseAddress!.Authority}{session}terminals/{id}/ws";
    }

    public async Task CloseAsync(string session) => (await http.DeleteAsync(session)).Dispose();

    /// <summary>Resident memory of a process, in bytes.</summary>
    public static long Rss(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }

    /// <summary>
    /// Resident memory once it stops moving (two readings 250 ms apart within 64 KiB, at most 5 s):
    /// a reading taken while the GC is returning memory can make a delta negative.
    /// </summary>
    public static async Task<long> SettledRssAsync(int pid)
    {
        var previous = Rss(pid);
        for (var i = 0; i < 20; i++)
        {
            await Task.Delay(250);
            var current = Rss(pid);
            if (Math.Abs(current - previous) < 64 * 1024) return current;
            previous = current;
        }
        return previous;
    }
}
