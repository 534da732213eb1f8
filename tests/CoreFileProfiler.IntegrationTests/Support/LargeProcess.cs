using System.Diagnostics;
using System.Globalization;

namespace CoreFileProfiler.IntegrationTests.Support;

/// <summary>
/// A real process holding <see cref="ResidentBytes"/> of touched, distinct memory, so that gcore of
/// it takes seconds: the slow snapshot a session must not wait behind. Killed on dispose.
/// </summary>
internal sealed class LargeProcess : IDisposable
{
    public const long ResidentBytes = 2048L << 20;

    private const string Source = """
        #include <stdio.h>
        #include <stdlib.h>
        #include <unistd.h>
        int main(int argc, char **argv) {
            size_t size = strtoull(argv[1], NULL, 10);
            unsigned char *memory = malloc(size);
            /* distinct bytes on every page, so nothing is shared or zero */
            for (size_t i = 0; i < size; i += 512) memory[i] = (unsigned char)(i >> 9);
            puts("ready");
            fflush(stdout);
            for (;;) pause();
        }
        """;

    private readonly Process _process;

    private LargeProcess(Process process) => _process = process;

    public int Pid => _process.Id;

    public static async Task<LargeProcess> StartAsync(string directory)
    {
        var source = Path.Join(directory, "large.c");
        var executable = Path.Join(directory, "large");
        await File.WriteAllTextAsync(source, Source);
        var (code, output) = await Command.RunAsync("gcc", ["-O1", "-o", executable, source], directory);
        if (code != 0) throw new InvalidOperationException($"gcc failed: {output}");
        var process = Process.Start(new ProcessStartInfo(executable, ResidentBytes.ToString(CultureInfo.InvariantCulture)) { RedirectStandardOutput = true })!;
        var large = new LargeProcess(process);
        try
        {
            var ready = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
            return ready == "ready" ? large : throw new InvalidOperationException($"The large process said '{ready}'.");
        }
        catch
        {
            large.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        _process.Kill();
        _process.WaitForExit();
        _process.Dispose();
    }
}
