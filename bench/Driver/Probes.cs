using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;

namespace CoreFileProfiler.Bench;

/// <summary>One measurement each: what a user would time.</summary>
public static class Probes
{
    /// <summary>GETs a URL (from <paramref name="from"/> with a Range) and discards the body; MB/s (10^6 bytes).</summary>
    public static async Task<double> DownloadAsync(HttpClient http, string url, long? from = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (from is not null) request.Headers.Range = new RangeHeaderValue(from, null);
        var clock = Stopwatch.StartNew();
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[1 << 20];
        long total = 0;
        int read;
        while ((read = await body.ReadAsync(buffer)) > 0) total += read;
        if (response.Content.Headers.ContentLength is { } expected && expected != total)
        {
            throw new InvalidOperationException($"{url}: {total} of {expected} bytes.");
        }

        return total / 1e6 / clock.Elapsed.TotalSeconds;
    }

    /// <summary>
    /// Command-to-answer round trips: gdb's <c>echo</c> of <c>\101</c>, which prints as <c>A</c>, so the
    /// answer is never mistaken for the terminal echoing what was typed; milliseconds.
    /// </summary>
    public static async Task<Samples> EchoAsync(TerminalPeer terminal, int count, int warmup)
    {
        var samples = new Samples();
        await ReadyAsync(terminal);
        for (var i = 0; i < warmup + count; i++)
        {
            var answered = terminal.ExpectAsync($"kA{i}.", TimeSpan.FromSeconds(10));
            var clock = Stopwatch.StartNew();
            await terminal.SendLineAsync($"echo k\\101{i}.\\n");
            await answered;
            if (i >= warmup) samples.Add(clock.Elapsed.TotalMilliseconds);
        }

        return samples;
    }

    /// <summary>
    /// <paramref name="lines"/> lines of 76 characters printed by gdb's Python, then a marker line
    /// (built from two halves, so the command's own echo never matches it); MB/s. gdb makes the
    /// text itself: on a core it runs sandboxed, with no shell and no files outside its core.
    /// </summary>
    public static async Task<double> BulkAsync(TerminalPeer terminal, int lines)
    {
        await terminal.SendLineAsync("set pagination off"); // gdb's pager would stop a terminal's Python output every screen
        await ReadyAsync(terminal);
        var done = terminal.ExpectAsync(BulkMarker, TimeSpan.FromMinutes(2));
        var clock = Stopwatch.StartNew();
        await terminal.SendLineAsync($"python import sys; sys.stdout.write(('{new string('x', 75)}\\n') * {lines} + 'END-OF' + '-BULK\\n')");
        await done;
        return BulkBytes(lines) / 1e6 / clock.Elapsed.TotalSeconds;
    }

    public const string BulkMarker = "END-OF-BULK";

    public static long BulkBytes(int lines) => (76L * lines) + BulkMarker.Length + 1;

    /// <summary>
    /// Processor calls from wrk (a C load generator, so the load costs the 2 cores little):
    /// p50/p99 in ms and calls per second.
    /// </summary>
    public static async Task<(double P50, double P99, double PerSecond, string Errors)> WrkAsync(string url, string bodyFile, int connections, int seconds)
    {
        var script = Path.ChangeExtension(bodyFile, ".lua");
        await File.WriteAllTextAsync(script, $$"""
            wrk.method = "POST"
            local f = io.open("{{bodyFile}}", "rb"); wrk.body = f:read("*a"); f:close()
            """);
        var start = new ProcessStartInfo("wrk")
        {
            ArgumentList = { "-t", connections == 1 ? "1" : "2", "-c", connections.ToString(CultureInfo.InvariantCulture), "-d", $"{seconds}s", "--latency", "-s", script, url + "/processor/coreFileProfiler" },
            RedirectStandardOutput = true,
        };
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        double Latency(string percentile)
        {
            var line = output.Split('\n').First(l => l.TrimStart().StartsWith(percentile, StringComparison.Ordinal));
            var value = line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
            var unit = value.TrimStart("0123456789.".ToCharArray());
            var number = double.Parse(value[..^unit.Length], CultureInfo.InvariantCulture);
            return unit switch { "us" => number / 1000, "ms" => number, "s" => number * 1000, _ => throw new FormatException(line) };
        }

        var rate = output.Split('\n').First(l => l.StartsWith("Requests/sec:", StringComparison.Ordinal)).Split(':')[1].Trim();
        var errors = string.Join("; ", output.Split('\n').Where(l => l.Contains("Non-2xx", StringComparison.Ordinal) || l.Contains("Socket errors", StringComparison.Ordinal)).Select(l => l.Trim()));
        return (Latency("50%"), Latency("99%"), double.Parse(rate, CultureInfo.InvariantCulture), errors.Length == 0 ? "0 failed" : errors);
    }

    /// <summary>Processor calls from <paramref name="concurrency"/> clients for a while: latency in ms, and calls per second.</summary>
    public static async Task<(Samples Latency, double PerSecond, int Failures)> ProcessorAsync(
        HttpClient http, Dictionary<string, string> body, int concurrency, TimeSpan duration)
    {
        var samples = new Samples();
        var failures = 0;
        var content = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(body);
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (clock.Elapsed < duration)
            {
                var started = clock.Elapsed;
                using var response = await http.PostAsync("/processor/coreFileProfiler", new ByteArrayContent(content));
                await response.Content.ReadAsByteArrayAsync();
                samples.Add((clock.Elapsed - started).TotalMilliseconds);
                if (!response.IsSuccessStatusCode) Interlocked.Increment(ref failures);
            }
        }));
        return (samples, samples.Count / clock.Elapsed.TotalSeconds, failures);
    }

    /// <summary>A shell command with a file on stdin, as the kernel's pipe would feed it; seconds.</summary>
    public static async Task<double> PipeAsync(string command, IDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("/bin/sh") { ArgumentList = { "-c", command }, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (key, value) in environment) start.Environment[key] = value;
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(); // the collector prints the core's path
        var errors = await process.StandardError.ReadToEndAsync();
        await output;
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{command}: exit {process.ExitCode}: {errors}");
        return clock.Elapsed.TotalSeconds;
    }

    /// <summary>Waits until gdb answers at all (it may still be loading the core).</summary>
    private static async Task ReadyAsync(TerminalPeer terminal)
    {
        var marker = Guid.NewGuid().ToString("N");
        var answered = terminal.ExpectAsync($"rA{marker}", TimeSpan.FromSeconds(60));
        await terminal.SendLineAsync($"echo r\\101{marker}\\n");
        await answered;
    }
}
