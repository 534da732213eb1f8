using System.Globalization;

namespace CoreFileProfiler.IntegrationTests.Support;

/// <summary>
/// The zstd core of a real crash of a program that filled <see cref="FilledBytes"/> with random bytes,
/// filed by the real collector as it compresses cores: decompressing it for gdb takes seconds, the slow
/// start of a terminal that a session must not wait behind.
/// </summary>
internal static class LargeCompressedCore
{
    public const long FilledBytes = 768L << 20;

    private const string Source = """
        #include <stdint.h>
        #include <stdio.h>
        #include <stdlib.h>
        int main(void) {
            uint64_t *memory = malloc(FILLED_BYTES), x = 88172645463325252ULL;
            /* xorshift: random, so zstd stores it nearly as large as it is */
            for (size_t i = 0; i < FILLED_BYTES / 8; i++) { x ^= x << 13; x ^= x >> 7; x ^= x << 17; memory[i] = x; }
            printf("filled %p\n", (void *)memory);
            fflush(stdout);
            *(volatile int *)0 = (int)memory[0]; /* the crash */
            return 0;
        }
        """;

    /// <summary>Crashes the program, has the collector file its core compressed, and moves it (and its metadata) into <paramref name="containerDirectory"/>.</summary>
    /// <returns>The <c>.zst</c> core's path.</returns>
    public static async Task<string> FileAsync(string workDirectory, string coreRoot, string containerDirectory)
    {
        var source = Path.Join(workDirectory, "large-crash.c");
        var executable = Path.Join(workDirectory, "large-crash");
        await File.WriteAllTextAsync(source, Source);
        var (code, output) = await Command.RunAsync("gcc", ["-O2", $"-DFILLED_BYTES={FilledBytes}ULL", "-o", executable, source], workDirectory);
        if (code != 0) throw new InvalidOperationException($"gcc failed: {output}");

        var (core, pid) = await CrashingProgram.CrashAsync(executable, Path.Join(workDirectory, "large-crash-dir"));
        string filed;
        try
        {
            await using var stream = File.OpenRead(core);
            filed = (await Collector.CollectMeasuredAsync(stream, coreRoot, Path.Join(workDirectory, "log"),
                ["-P", pid.ToString(CultureInfo.InvariantCulture), "-s", "11", "-t", DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture), "-e", "large-crash"],
                new Dictionary<string, string> { ["CORE_COLLECTOR_COMPRESS"] = "true" })).Path;
        }
        finally
        {
            File.Delete(core);
        }

        var compressed = Path.Join(containerDirectory, Path.GetFileName(filed));
        File.Move(filed, compressed);
        File.Move(Metadata(filed), Metadata(compressed));
        return compressed;
    }

    /// <summary>A core's metadata: beside it, named as the core uncompressed plus <c>.json</c>.</summary>
    public static string Metadata(string compressedCore) => compressedCore[..^".zst".Length] + ".json";
}
