using System.Globalization;
using System.Text.RegularExpressions;
using CoreFileProfiler.IntegrationTests.Support;

namespace CoreFileProfiler.IntegrationTests;

/// <summary>The benchmark's smoke mode, so bench/run.sh cannot rot between full runs.</summary>
public sealed partial class BenchmarkSmokeTests
{
    [Fact]
    public async Task The_quick_benchmark_runs_every_pair_against_its_anchor_and_fills_every_row()
    {
        var results = Repository.PathOf("artifacts/bench-quick.md");
        File.Delete(results);

        var (exitCode, output) = await Command.RunAsync("bash", ["bench/run.sh", "--quick", "--no-build"], Repository.Root);

        Assert.True(exitCode == 0, output);
        var rows = File.ReadAllLines(results).Where(l => l.StartsWith("| ", StringComparison.Ordinal)).Skip(1).ToList();
        string[] metrics =
        [
            "core download, ", "resumed download", "core download through another node's gateway",
            "terminal command round trip (", "terminal command round trip through another node's gateway", "terminal bulk output",
            "processor call, coredump, 1 concurrent", "processor call, coredump, 50 concurrent", "processor throughput, coredump, 50 connections",
            "collector, ", "collector start-up", "silo RSS, idle", "silo RSS per session", "silo RSS per terminal",
        ];
        foreach (var metric in metrics)
        {
            var row = Assert.Single(rows, r => r.StartsWith("| " + metric, StringComparison.Ordinal));
            var cells = row.Split('|', StringSplitOptions.TrimEntries);
            // ours: median and p99 measured. A memory delta of a quick run's few sessions or terminals is
            // within the GC's noise, so there a number of either sign is a measurement.
            Assert.True(metric.StartsWith("silo RSS per", StringComparison.Ordinal) ? Finite(cells[2]) && Finite(cells[3]) : Positive(cells[2]) && Positive(cells[3]), row);
            if (!cells[4].StartsWith('—')) Assert.True(Positive(Number().Match(cells[4]).Value), row); // and the anchor
        }
    }

    private static bool Positive(string cell) =>
        double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value > 0;

    private static bool Finite(string cell) =>
        double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value);

    [GeneratedRegex(@"[0-9.]+$")]
    private static partial Regex Number();
}
