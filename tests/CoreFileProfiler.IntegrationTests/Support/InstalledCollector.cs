namespace CoreFileProfiler.IntegrationTests.Support;

/// <summary>
/// The collector installed as the kernel's core_pattern for one test: a copy at a short path
/// (the pattern is limited to 128 bytes) with its settings file beside it. Disposing uninstalls
/// it and, whatever happened, puts back the values the host had.
/// </summary>
public sealed class InstalledCollector : IAsyncDisposable
{
    private const string PatternFile = "/proc/sys/kernel/core_pattern";
    private const string PipeLimitFile = "/proc/sys/kernel/core_pipe_limit";

    private readonly string _savedPattern = File.ReadAllText(PatternFile).TrimEnd('\n');
    private readonly string _savedPipeLimit = File.ReadAllText(PipeLimitFile).Trim();
    private readonly TempDirectory _temp = new();

    private InstalledCollector()
    {
    }

    public string CoreRoot { get; private set; } = "";

    public string Executable => Path.Join(_temp.Path, "core-collector");

    public string LogRoot => Path.Join(_temp.Path, "log");

    /// <summary>Copies the collector to a short path with its settings; installs it unless someone else (the silo) is to.</summary>
    public static async Task<InstalledCollector> InstallAsync(string? coreRoot = null, bool install = true)
    {
        var installed = new InstalledCollector();
        installed.CoreRoot = coreRoot ?? Path.Join(installed._temp.Path, "cores");
        try
        {
            var executable = installed.Executable;
            File.Copy(Collector.Executable, executable);
            File.SetUnixFileMode(executable, File.GetUnixFileMode(Collector.Executable));
            Directory.CreateDirectory(Path.Join(installed.LogRoot, "containers"));
            await File.WriteAllTextAsync(Path.Join(installed._temp.Path, "core-collector.json"),
                $$"""{"coreRoot":"{{installed.CoreRoot}}","logRoot":"{{installed.LogRoot}}","minFreeBytes":1048576}""");
            if (install)
            {
                var (code, output) = await Command.RunAsync(executable, ["install"]);
                Assert.True(code == 0, output);
                Assert.StartsWith($"|{executable} ", File.ReadAllText(PatternFile), StringComparison.Ordinal);
            }

            return installed;
        }
        catch
        {
            await installed.DisposeAsync();
            throw;
        }
    }

    /// <summary>Waits until the collector has finished <paramref name="count"/> cores below <paramref name="directory"/>.</summary>
    public static async Task<string[]> WaitForCoresAsync(string directory, int count)
    {
        for (var waited = 0; waited < 200; waited++)
        {
            var cores = Directory.Exists(directory)
                ? Directory.GetFiles(directory).Where(f => !Path.GetFileName(f).StartsWith('.') && File.Exists(f + ".json") && !f.EndsWith(".json", StringComparison.Ordinal)).ToArray()
                : [];
            if (cores.Length >= count) return cores;
            await Task.Delay(100);
        }

        throw new TimeoutException($"Fewer than {count} cores arrived in {directory}.");
    }

    public async ValueTask DisposeAsync()
    {
        await Command.RunAsync(Path.Join(_temp.Path, "core-collector"), ["uninstall"]);
        if (File.ReadAllText(PatternFile).TrimEnd('\n') != _savedPattern) await File.WriteAllTextAsync(PatternFile, _savedPattern);
        if (File.ReadAllText(PipeLimitFile).Trim() != _savedPipeLimit) await File.WriteAllTextAsync(PipeLimitFile, _savedPipeLimit);
        _temp.Dispose();
    }
}
