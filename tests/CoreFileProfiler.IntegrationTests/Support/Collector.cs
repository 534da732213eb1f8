using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace CoreFileProfiler.IntegrationTests.Support;

/// <summary>The published NativeAOT core-collector (./test.sh publishes it before the tests).</summary>
public static class Collector
{
    public static string Executable { get; } = typeof(Collector).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "Collector").Value!;

    // wait4 gives the child's peak RSS (ru_maxrss, KiB); .NET's Process reaps its children itself, so python3 waits instead.
    private const string MeasuringWrapper = """
        import os, sys, time
        start = time.monotonic()
        pid = os.fork()
        if pid == 0:
            os.execv(sys.argv[1], sys.argv[1:])
        _, status, usage = os.wait4(pid, 0)
        print(f"peak-rss-kib={usage.ru_maxrss} seconds={time.monotonic() - start:.3f}", file=sys.stderr)
        sys.exit(os.waitstatus_to_exitcode(status))
        """;

    /// <summary>Runs the collector as the kernel would, with <paramref name="core"/> on stdin; returns the core's path.</summary>
    public static async Task<string> CollectAsync(byte[] core, string coreRoot, string logRoot, IEnumerable<string> arguments, IDictionary<string, string>? settings = null) =>
        (await RunAsync(new MemoryStream(core), coreRoot, logRoot, arguments, settings, measured: false)).Path;

    /// <summary>As <see cref="CollectAsync"/>, measuring the collector's peak resident memory (wait4's ru_maxrss) and its run time.</summary>
    public static Task<CollectorRun> CollectMeasuredAsync(byte[] core, string coreRoot, string logRoot, IEnumerable<string> arguments, IDictionary<string, string>? settings = null) =>
        RunAsync(new MemoryStream(core), coreRoot, logRoot, arguments, settings, measured: true);

    /// <summary>As above, with a core too big to hold in the test's memory.</summary>
    public static Task<CollectorRun> CollectMeasuredAsync(Stream core, string coreRoot, string logRoot, IEnumerable<string> arguments, IDictionary<string, string>? settings = null) =>
        RunAsync(core, coreRoot, logRoot, arguments, settings, measured: true);

    private static async Task<CollectorRun> RunAsync(Stream core, string coreRoot, string logRoot, IEnumerable<string> arguments, IDictionary<string, string>? settings, bool measured)
    {
        Assert.True(File.Exists(Executable), $"{Executable} is missing: ./test.sh publishes the collector.");
        var start = new ProcessStartInfo(measured ? "python3" : Executable)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["CORE_COLLECTOR_CORE_ROOT"] = coreRoot, ["CORE_COLLECTOR_LOG_ROOT"] = logRoot },
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>()) start.Environment[key] = value;
        if (measured)
        {
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add(MeasuringWrapper);
            start.ArgumentList.Add(Executable);
        }

        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        try
        {
            await core.CopyToAsync(process.StandardInput.BaseStream, 1 << 20);
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // the collector stopped reading at a limit: the kernel sees the same broken pipe
        }

        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"core-collector exited {process.ExitCode}: {await errors}");
        var path = (await output).Trim();
        if (!measured) return new(path, 0, TimeSpan.Zero);
        var figures = Regex.Match(await errors, @"peak-rss-kib=(\d+) seconds=([\d.]+)");
        return new(path, long.Parse(figures.Groups[1].Value, CultureInfo.InvariantCulture) * 1024, TimeSpan.FromSeconds(double.Parse(figures.Groups[2].Value, CultureInfo.InvariantCulture)));
    }

    public static JsonElement Metadata(string corePath) => JsonDocument.Parse(File.ReadAllText(corePath + ".json")).RootElement;
}
