using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using CoreFileProfiler.IntegrationTests.Support;

namespace CoreFileProfiler.IntegrationTests;

/// <summary>What operators scrape and read: /metrics, /openapi/v1.json, and the Production log.</summary>
public sealed partial class ObservabilityTests
{
    /// <summary>The OpenTelemetry Prometheus exporter reuses a scrape's answer for 300 ms; a little more.</summary>
    private static readonly TimeSpan ScrapeCache = TimeSpan.FromMilliseconds(500);

    [Fact]
    public async Task Metrics_move_by_exactly_what_one_processor_call_one_terminal_and_one_download_did_and_logs_are_json_lines()
    {
        using var temp = new TempDirectory();
        await using var silo = await SiloProcess.StartAsync(temp.Path);
        var core = Path.Join(silo.CoreRoot, "kubernetes", "default", "metered", "app", "7_20261127-120000");
        Directory.CreateDirectory(Path.GetDirectoryName(core)!);
        await File.WriteAllBytesAsync(core, new byte[300_000]);
        var before = await ScrapeAsync(silo);

        var session = await SiloFixture.OpenSessionAsync(silo, SiloFixture.CoredumpRequest("metered", "app"));
        using (var refused = await SiloFixture.PostProcessorAsync(SiloFixture.CoredumpRequest("no-such-pod"), silo.Http))
        {
            Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
        }

        var (_, _, ws) = await SiloFixture.OpenTerminalAsync(silo.Http, session, "app/7_20261127-120000");
        await using var viewer = await TerminalClient.ConnectAsync(ws);
        await viewer.WaitForAsync("(gdb) ");
        Assert.Equal(300_000, (await silo.Http.GetByteArrayAsync(session + "files/app/7_20261127-120000")).Length);
        await Task.Delay(ScrapeCache); // a scrape within that time of the last one gets the same answer
        var after = await ScrapeAsync(silo);

        double Moved(string series) => after.GetValueOrDefault(series) - before.GetValueOrDefault(series);
        Assert.Equal(1, Moved("cfp_processor_calls_total{outcome=\"ok\"}"));
        Assert.Equal(1, Moved("cfp_processor_calls_total{outcome=\"not_found\"}"));
        Assert.Equal(1, Moved("cfp_processor_duration_seconds_count{outcome=\"ok\"}"));
        Assert.Equal(1, Moved("cfp_sessions_live"));
        Assert.Equal(1, Moved("cfp_terminals_running"));
        Assert.Equal(1, Moved("cfp_terminal_viewers"));
        Assert.Equal(1, Moved("cfp_gdb_processes"));
        Assert.Equal(1, Moved("cfp_downloads_total{source=\"local\"}"));
        Assert.Equal(300_000, Moved("cfp_download_size_bytes_total"));

        // Production logs: one JSON object per line, with the session (its hash: the id is a capability), the node and gdb's pid as properties.
        var events = silo.Log().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement).ToList();
        var hash = CapabilityLeaks.HashOf(session.Split('/')[2]);
        var started = Assert.Single(events, e => e.TryGetProperty("Pid", out _) && e.TryGetProperty("SessionHash", out var s) && s.GetString() == hash);
        Assert.Equal(SiloProcess.NodeName, started.GetProperty("Node").GetString());
        Assert.True(started.GetProperty("Pid").GetInt32() > 0);
    }

    [Fact]
    public async Task The_openapi_document_describes_every_endpoint_of_the_contract_with_its_status_codes()
    {
        using var temp = new TempDirectory();
        await using var silo = await SiloProcess.StartAsync(temp.Path);
        var paths = (await silo.Http.GetFromJsonAsync<JsonElement>("/openapi/v1.json")).GetProperty("paths");

        // docs/architecture.md, HTTP contract: every request of the contract and what it may answer.
        (string Method, string Path, int[] Statuses)[] contract =
        [
            ("post", "/processor/coreFileProfiler", [200, 400, 404, 503]),
            ("get", "/sessions/{id}", [200, 404, 410]),
            ("get", "/sessions/{id}/api", [200, 404, 410]),
            ("get", "/sessions/{id}/files/{path}", [200, 206, 404, 410]),
            ("head", "/sessions/{id}/files/{path}", [200, 206, 404, 410]),
            ("post", "/sessions/{id}/terminals", [201, 400, 401, 404, 410]),
            ("get", "/sessions/{id}/terminals/{terminalId}", [200, 404, 410]),
            ("get", "/sessions/{id}/terminals/{terminalId}/ws", [101, 400, 401, 403, 404, 410]),
            ("get", "/sessions/{id}/terminals/{terminalId}/recording", [200, 404, 410]),
            ("get", "/watch/{watchId}", [200, 404, 410]),
            ("get", "/watch/{watchId}/api", [200, 404, 410]),
            ("get", "/watch/{watchId}/ws", [101, 400, 403, 404, 410]),
            ("post", "/sessions/{id}/snapshots", [201, 400, 404, 410]),
            ("delete", "/sessions/{id}", [204, 404, 410]),
            ("get", "/api/sessions", [200, 401]),
            ("get", "/api/nodes", [200, 401]),
            ("get", "/api/cores", [200, 400, 401]),
            ("delete", "/api/sessions/{id}", [204, 401, 404, 410]),
            ("get", "/buildid/{id}/{kind}", [200, 206, 401, 404, 416]),
            ("head", "/buildid/{id}/{kind}", [200, 206, 401, 404, 416]),
            ("get", "/healthz", [200]),
            ("get", "/readyz", [200, 503]),
        ];
        foreach (var (method, path, statuses) in contract)
        {
            var operation = paths.TryGetProperty(path, out var operations) && operations.TryGetProperty(method, out var found) ? found : default;
            Assert.True(operation.ValueKind == JsonValueKind.Object, $"{method} {path} is not described");
            var described = operation.GetProperty("responses").EnumerateObject().Select(r => int.Parse(r.Name, CultureInfo.InvariantCulture)).ToHashSet();
            Assert.Subset(described, statuses.ToHashSet());
        }
    }

    /// <summary>Every sample of the Prometheus text, by series (name and labels, minus the scope label).</summary>
    private static async Task<Dictionary<string, double>> ScrapeAsync(SiloProcess silo)
    {
        var text = await silo.Http.GetStringAsync("/metrics");
        return text.Split('\n')
            .Where(line => line.StartsWith("cfp_", StringComparison.Ordinal))
            .Select(line => Sample().Match(line))
            .Where(match => match.Success)
            .ToDictionary(
                match => match.Groups["name"].Value + Labels(match.Groups["labels"].Value),
                match => double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture));
    }

    private static string Labels(string labels)
    {
        var kept = labels.Split(',', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith("otel_scope", StringComparison.Ordinal)).ToList();
        return kept.Count == 0 ? "" : "{" + string.Join(',', kept) + "}";
    }

    [GeneratedRegex(@"^(?<name>cfp_[a-z_]+)(\{(?<labels>[^}]*)\})? (?<value>[-0-9.e+]+)")]
    private static partial Regex Sample();
}
