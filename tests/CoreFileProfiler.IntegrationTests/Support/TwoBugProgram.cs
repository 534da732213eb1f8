namespace CoreFileProfiler.IntegrationTests.Support;

/// <summary>
/// A small C program with two bugs, built with <c>gcc -g -static</c> (a bare busybox container has
/// no libc): it crashes in <see cref="CrashingFunction"/>, or with the argument <c>elsewhere</c> in
/// <see cref="OtherFunction"/>, each a write through NULL. Built stripped too, for frames without symbols.
/// </summary>
public static class TwoBugProgram
{
    public const string CrashingFunction = "crash_here";
    public const string OtherFunction = "crash_elsewhere";
    public const string SourceFile = "crasher.c";

    private const string Source = """
        #include <string.h>

        __attribute__((noinline)) void crash_here(int *where)
        {
            *where = 1; /* the crash */
        }

        __attribute__((noinline)) void crash_elsewhere(int *where)
        {
            where[1] = 2;
        }

        int main(int argc, char **argv)
        {
            if (argc > 1 && strcmp(argv[1], "elsewhere") == 0) crash_elsewhere(0);
            else crash_here(0);
            return 0;
        }
        """;

    /// <summary>The source line of the crash in <see cref="CrashingFunction"/>.</summary>
    public static readonly int CrashingLine = Source.Split('\n').ToList().FindIndex(line => line.Contains("/* the crash */", StringComparison.Ordinal)) + 1;

    /// <summary>Compiles the program into <paramref name="directory"/> (relative source name, so the debug info says <c>crasher.c</c>); returns the executable.</summary>
    public static async Task<string> BuildAsync(string directory, bool stripped = false)
    {
        await File.WriteAllTextAsync(Path.Join(directory, SourceFile), Source);
        var executable = Path.Join(directory, stripped ? "crasher-stripped" : "crasher");
        var (code, output) = await Command.RunAsync("gcc", ["-static", "-O0", stripped ? "-s" : "-g", "-o", executable, SourceFile], directory);
        return code == 0 ? executable : throw new InvalidOperationException($"gcc failed: {output}");
    }
}
