namespace CoreFileProfiler.Collector;

/// <summary>
/// Points <c>kernel.core_pattern</c> at this collector and back. The values it replaces are saved
/// beside the executable, so <c>uninstall</c> restores exactly what the host had.
/// </summary>
public static class CorePattern
{
    private const string PatternFile = "/proc/sys/kernel/core_pattern";
    private const string PipeLimitFile = "/proc/sys/kernel/core_pipe_limit";
    private const int MaxPatternBytes = 127; // the kernel's CORENAME_MAX_SIZE is 128 with the NUL
    private const int PipeLimit = 64; // handlers the kernel waits for at once, so /proc/<pid> stays readable

    private static string SavedFile => Path.Join(AppContext.BaseDirectory, "core-collector.saved");

    public static int Install()
    {
        var executable = Environment.ProcessPath!;
        var pattern = $"|{executable} -P %P -s %s -t %t -e %e -E %E";
        if (pattern.Length > MaxPatternBytes)
        {
            Console.Error.WriteLine($"core-collector: '{executable}' is too long for kernel.core_pattern ({MaxPatternBytes} bytes); install it at a shorter path.");
            return 2;
        }

        var current = File.ReadAllText(PatternFile).TrimEnd('\n');
        if (!current.StartsWith($"|{executable} ", StringComparison.Ordinal))
        {
            File.WriteAllText(SavedFile, $"{current}\n{File.ReadAllText(PipeLimitFile).Trim()}\n");
        }

        File.WriteAllText(PipeLimitFile, PipeLimit.ToString(System.Globalization.CultureInfo.InvariantCulture));
        File.WriteAllText(PatternFile, pattern);
        Console.WriteLine($"core-collector: kernel.core_pattern = {pattern} (was '{current}', saved in {SavedFile})");
        return 0;
    }

    public static int Uninstall()
    {
        if (!File.Exists(SavedFile))
        {
            Console.Error.WriteLine($"core-collector: nothing to restore ({SavedFile} does not exist).");
            return 1;
        }

        var saved = File.ReadAllLines(SavedFile);
        File.WriteAllText(PatternFile, saved[0]);
        File.WriteAllText(PipeLimitFile, saved[1]);
        File.Delete(SavedFile);
        Console.WriteLine($"core-collector: kernel.core_pattern restored to '{saved[0]}', core_pipe_limit to {saved[1]}.");
        return 0;
    }
}
