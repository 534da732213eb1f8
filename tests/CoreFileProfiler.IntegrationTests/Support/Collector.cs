using System.Diagnostics;
using System.Reflection;
using System.Text.Json;

namespace CoreFileProfiler.IntegrationTests.Support;

/// <summary>The published NativeAOT core-collector (./test.sh publishes it before the tests).</summary>
public static class Collector
{
    public static string Executable { get; } = typeof(Collector).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "Collector").Value!;

    /// <summary>Runs the collector as the kernel would, with <paramref name="core"/> on stdin; returns the core's path.</summary>
    public static async Task<string> CollectAsync(byte[] core, string coreRoot, string logRoot, IEnumerable<string> arguments, IDictionary<string, string>? settings = null)
    {
        Assert.True(File.Exists(Executable), $"{Executable} is missing: ./test.sh publishes the collector.");
        var start = new ProcessStartInfo(Executable)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["CORE_COLLECTOR_CORE_ROOT"] = coreRoot, ["CORE_COLLECTOR_LOG_ROOT"] = logRoot },
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>()) start.Environment[key] = value;
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        try
        {
            await process.StandardInput.BaseStream.WriteAsync(core);
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // the collector stopped reading at a limit: the kernel sees the same broken pipe
        }

        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"core-collector exited {process.ExitCode}: {await errors}");
        return (await output).Trim();
    }

    public static JsonElement Metadata(string corePath) => JsonDocument.Parse(File.ReadAllText(corePath + ".json")).RootElement;
}
