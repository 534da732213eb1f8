using System.Diagnostics;
using System.Text.Json;

namespace CoreFileProfiler.IntegrationTests.Support;

/// <summary>The crash report a silo saves beside each core the collector files (<c>&lt;core&gt;.report.json</c>).</summary>
public static class CrashReportFiles
{
    /// <summary>Waits for the report of <paramref name="core"/> (plain or <c>.zst</c>) and reads it.</summary>
    public static async Task<JsonElement> WaitForAsync(string core, SiloProcess silo, TimeSpan? within = null)
    {
        var path = (core.EndsWith(".zst", StringComparison.Ordinal) ? core[..^4] : core) + ".report.json";
        for (var clock = Stopwatch.StartNew(); !File.Exists(path); await Task.Delay(50))
        {
            if (clock.Elapsed > (within ?? TimeSpan.FromSeconds(20))) throw new TimeoutException($"No crash report for {core}:\n{silo.LogTail()}");
        }

        return JsonDocument.Parse(await File.ReadAllTextAsync(path)).RootElement;
    }
}
