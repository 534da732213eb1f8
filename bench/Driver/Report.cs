using System.Globalization;
using System.Text;

namespace CoreFileProfiler.Bench;

/// <summary>The results table, written as markdown.</summary>
public sealed class Report
{
    private readonly List<string> _rows = [];
    private readonly List<string> _notes = [];

    /// <summary>A pair: ours against an anchor; the ratio is ours/anchor for throughput, anchor/ours for latency (higher is better).</summary>
    public void Pair(string metric, string unit, Samples ours, Samples anchor, string anchorName, bool higherIsBetter, string goal, bool met)
    {
        var ratio = higherIsBetter ? ours.Median / anchor.Median : anchor.Median / ours.Median;
        _rows.Add($"| {metric} | {F(ours.Median)} | {F(ours.P99)} | {anchorName}: {F(anchor.Median)} | {F(anchor.P99)} | {unit} | {ratio:0.00}× | {goal} | {Verdict(met)} |");
        Console.WriteLine(_rows[^1]);
    }

    /// <summary>A figure of ours alone, against a stated goal.</summary>
    public void Alone(string metric, string unit, Samples ours, string goal, bool? met) => Alone(metric, unit, ours.Median, ours.P99, goal, met);

    public void Alone(string metric, string unit, double median, double p99, string goal, bool? met)
    {
        _rows.Add($"| {metric} | {F(median)} | {F(p99)} | — | — | {unit} | — | {goal} | {(met is { } known ? Verdict(known) : "reported")} |");
        Console.WriteLine(_rows[^1]);
    }

    public void Note(string note) => _notes.Add(note);

    public void Write(string path, string title, string machine, int rounds)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"# {title}");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Written by `bench/run.sh` on {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC. Pairs ran interleaved (ours, anchor, ours, …), {rounds} rounds after a warm-up; the ratio compares medians, higher is better for us.");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Machine: {machine}");
        text.AppendLine();
        text.AppendLine("| metric | ours median | ours p99 | anchor median | anchor p99 | unit | ratio | goal | |");
        text.AppendLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var row in _rows) text.AppendLine(row);
        if (_notes.Count > 0)
        {
            text.AppendLine();
            foreach (var note in _notes) text.AppendLine(CultureInfo.InvariantCulture, $"- {note}");
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllText(path, text.ToString());
    }

    private static string Verdict(bool met) => met ? "met" : "**missed**";

    private static string F(double value) => value switch
    {
        >= 100 => value.ToString("0", CultureInfo.InvariantCulture),
        >= 10 => value.ToString("0.0", CultureInfo.InvariantCulture),
        _ => value.ToString("0.00", CultureInfo.InvariantCulture),
    };
}
