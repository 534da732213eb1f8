namespace CoreFileProfiler.IntegrationTests.Support;

/// <summary>
/// A small C program built with <c>gcc -g</c> that dereferences NULL in
/// <see cref="CrashingFunction"/>; run with <c>ulimit -c unlimited</c>, the kernel writes a real core.
/// </summary>
public static class CrashingProgram
{
    public const string CrashingFunction = "write_through_null";
    public const string SourceFile = "crasher.c";

    private const string Source = """
        #include <stdio.h>
        #include <string.h>

        static volatile int depth;

        __attribute__((noinline)) void write_through_null(int *where, int value)
        {
            *where = value; /* the crash */
        }

        __attribute__((noinline)) void handle_request(const char *name)
        {
            depth = (int)strlen(name);
            write_through_null((int *)0, depth);
        }

        int main(int argc, char **argv)
        {
            printf("crasher %s starting\n", argc > 1 ? argv[1] : "");
            fflush(stdout);
            handle_request(argc > 1 ? argv[1] : "request");
            return 0;
        }
        """;

    /// <summary>The source line of the crash, as gdb should report it.</summary>
    public static readonly int CrashingLine = Source.Split('\n').ToList().FindIndex(line => line.Contains("/* the crash */", StringComparison.Ordinal)) + 1;

    /// <summary>Compiles the program into <paramref name="directory"/> and returns the executable's path; static ones run in a bare busybox container.</summary>
    public static async Task<string> BuildAsync(string directory, bool statically = false)
    {
        var source = Path.Join(directory, SourceFile);
        var executable = Path.Join(directory, statically ? "crasher-static" : "crasher");
        await File.WriteAllTextAsync(source, Source);
        var (code, output) = await Command.RunAsync("gcc", [.. statically ? ["-static"] : Array.Empty<string>(), "-g", "-O0", "-o", executable, source], directory);
        return code == 0 ? executable : throw new InvalidOperationException($"gcc failed: {output}");
    }

    /// <summary>Runs the program until it segfaults and returns the core the kernel wrote (unless a pipe handler takes it), and the pid.</summary>
    public static async Task<(string CorePath, int Pid)> CrashAsync(string executable, string workDirectory, bool expectCoreFile = true)
    {
        Directory.CreateDirectory(workDirectory);
        // $$ is the shell's pid, and exec keeps it for the crasher: that is the pid in the core's name.
        var (code, output) = await Command.RunAsync("sh", ["-c", $"ulimit -c unlimited; echo $$; exec '{executable}' test"], workDirectory);
        var pid = int.Parse(output.Split('\n')[0].Trim(), System.Globalization.CultureInfo.InvariantCulture);
        if (code != 128 + 11 && code != -11 && code != 139)
        {
            throw new InvalidOperationException($"The crasher exited with {code}, not SIGSEGV: {output}");
        }

        if (!expectCoreFile) return ("", pid);
        var core = new[] { "core", $"core.{pid}" }.Select(name => Path.Join(workDirectory, name)).FirstOrDefault(File.Exists);
        return core is not null
            ? (core, pid)
            : throw new InvalidOperationException(
                $"No core in {workDirectory}; kernel.core_pattern is '{File.ReadAllText("/proc/sys/kernel/core_pattern").Trim()}', expected 'core'.");
    }

    /// <summary>
    /// Crashes the program for real and files its core in a store's pod layout as the collector
    /// would: the core, and beside it the metadata naming the collector's copy of the executable
    /// (a pod's core gets its executable from there or its running container, never from the node).
    /// </summary>
    /// <param name="siloCoreRoot">Where the silo sees <paramref name="coreRoot"/>, when it runs in a container that mounts it elsewhere.</param>
    public static async Task<string> CrashIntoStoreAsync(string executable, string workDirectory, string coreRoot, string ns, string pod, string container, string? siloCoreRoot = null)
    {
        var (core, pid) = await CrashAsync(executable, Path.Join(workDirectory, "crash-" + Guid.NewGuid().ToString("N")));
        var directory = Path.Join(coreRoot, "kubernetes", ns, pod, container);
        Directory.CreateDirectory(directory);
        var time = DateTimeOffset.UtcNow;
        var filed = Path.Join(directory, $"{pid}_{time.ToString("yyyyMMdd-HHmmss", System.Globalization.CultureInfo.InvariantCulture)}");
        File.Move(core, filed);

        // Named by content as the collector names it (docs/architecture.md, Core store): <build-id>-<sha256>.
        var copies = Directory.CreateDirectory(Path.Join(coreRoot, ".executables")).FullName;
        var buildId = await BuildIdAsync(executable);
        var sha256 = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(await File.ReadAllBytesAsync(executable)));
        var copy = Path.Join(copies, $"{buildId}-{sha256}");
        if (!File.Exists(copy)) File.Copy(executable, copy);
        var metadata = new
        {
            pid, signal = 11, time, exe = executable, comm = Path.GetFileName(executable), source = "kernel",
            size = new FileInfo(filed).Length, truncated = false, @namespace = ns, pod, container,
            buildId, executableSha256 = sha256,
            executableCopy = Path.Join(siloCoreRoot ?? coreRoot, ".executables", Path.GetFileName(copy)),
        };
        await File.WriteAllTextAsync(filed + ".json", System.Text.Json.JsonSerializer.Serialize(metadata));
        return filed;
    }

    /// <summary>The program's GNU build-id in lower-case hex, as readelf reads it.</summary>
    public static async Task<string> BuildIdAsync(string executable)
    {
        var (code, output) = await Command.RunAsync("readelf", ["-n", executable]);
        var line = output.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("Build ID: ", StringComparison.Ordinal));
        return code == 0 && line is not null ? line["Build ID: ".Length..] : throw new InvalidOperationException($"{executable} has no build-id: {output}");
    }
}
