using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CoreFileProfiler.IntegrationTests.Support;

namespace CoreFileProfiler.IntegrationTests;

/// <summary>
/// The disk the service writes stays within its budgets: the free-space floor holds for the
/// collector, gcore snapshots and gdb's decompressed cores, a killed silo's hand-over directories
/// go at the next start, and <c>Profiler:MaxCoreStoreBytes</c> counts every file of the store.
/// Each against a real silo process, real gdb, gcore, crashes and the published collector.
/// </summary>
public sealed class StoreBudgetTests
{
    private const string Floor = "99.9%";

    [Fact]
    public async Task Below_the_free_space_floor_collecting_snapshots_and_gdb_on_a_zstd_core_are_refused_and_above_it_they_work()
    {
        using var temp = new TempDirectory();
        var crasher = await CrashingProgram.BuildAsync(temp.Path);
        var root = Directory.CreateDirectory(Path.Join(temp.Path, "cores")).FullName;

        // The collector: a floor given as a percentage keeps the core off the disk, and says so.
        var (crashed, pid) = await CrashingProgram.CrashAsync(crasher, Path.Join(temp.Path, "crash"));
        var bytes = await File.ReadAllBytesAsync(crashed);
        var refused = await Collector.CollectAsync(bytes, Path.Join(temp.Path, "refused"), Path.Join(temp.Path, "log"), CrashArguments(pid),
            new Dictionary<string, string> { ["CORE_COLLECTOR_MIN_FREE_SPACE"] = Floor });
        Assert.False(File.Exists(refused) && new FileInfo(refused).Length > 0, "the collector wrote a core below its floor");
        Assert.Equal($"not written: free space is below MinFreeSpace ({Floor})", Collector.Metadata(refused).GetProperty("note").GetString());
        var kept = await Collector.CollectAsync(bytes, Path.Join(temp.Path, "kept"), Path.Join(temp.Path, "log"), CrashArguments(pid),
            new Dictionary<string, string> { ["CORE_COLLECTOR_MIN_FREE_SPACE"] = "1%" });
        Assert.Equal(bytes.Length, new FileInfo(kept).Length);
        Assert.False(Collector.Metadata(kept).TryGetProperty("note", out var note) && note.ValueKind == JsonValueKind.String, "a core above its floor got a note");
        var zstd = await Collector.CollectAsync(bytes, root, Path.Join(temp.Path, "log"), CrashArguments(pid),
            new Dictionary<string, string> { ["CORE_COLLECTOR_COMPRESS"] = "true" });

        using var sleeper = Process.Start("sleep", "300");
        try
        {
            await using (var full = await SiloProcess.StartAsync(temp.Path, $"--Profiler:MinFreeSpace={Floor}"))
            {
                var session = await SiloFixture.OpenSessionAsync(full, FileRequest(zstd));
                using (var terminal = await full.Http.PostAsJsonAsync(session + "terminals", new { file = Path.GetFileName(zstd) }))
                {
                    await AssertRefusedAtTheFloorAsync(terminal, $"{Path.GetFileName(zstd)[..^4]} was not decompressed for gdb");
                }

                Assert.Empty(HandOverFiles(root));

                var live = await SiloFixture.OpenSessionAsync(full, GcoreRequest(sleeper.Id));
                using (var snapshot = await full.Http.PostAsJsonAsync(live + "snapshots", new { pid = sleeper.Id }))
                {
                    await AssertRefusedAtTheFloorAsync(snapshot, $"No snapshot of pid {sleeper.Id}");
                }

                Assert.Empty(Directory.GetFiles(root, $"*{sleeper.Id}*", SearchOption.AllDirectories)); // no core, no partial dot-file
            }

            // The honest path, on the same store with the default floor.
            await using var roomy = await SiloProcess.StartAsync(temp.Path);
            var again = await SiloFixture.OpenSessionAsync(roomy, FileRequest(zstd));
            var (_, _, ws) = await SiloFixture.OpenTerminalAsync(roomy.Http, again, Path.GetFileName(zstd));
            await using (var viewer = await TerminalClient.ConnectAsync(ws))
            {
                await viewer.WaitForAsync("(gdb) ");
                await viewer.TypeAsync("bt\n");
                await viewer.WaitForAsync(CrashingProgram.CrashingFunction);
            }

            var liveAgain = await SiloFixture.OpenSessionAsync(roomy, GcoreRequest(sleeper.Id));
            using var taken = await roomy.Http.PostAsJsonAsync(liveAgain + "snapshots", new { pid = sleeper.Id });
            Assert.True(taken.StatusCode == HttpStatusCode.Created, await taken.Content.ReadAsStringAsync());
            Assert.True(new FileInfo((await taken.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("path").GetString()!).Length > 0);
        }
        finally
        {
            sleeper.Kill();
            await sleeper.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task A_silo_killed_with_gdb_on_a_zstd_core_leaves_nothing_behind_and_retention_counts_every_file_it_writes()
    {
        using var temp = new TempDirectory();
        var crasher = await CrashingProgram.BuildAsync(temp.Path);
        var root = Directory.CreateDirectory(Path.Join(temp.Path, "cores")).FullName;
        var (crashed, pid) = await CrashingProgram.CrashAsync(crasher, Path.Join(temp.Path, "crash"));
        var zstd = await Collector.CollectAsync(await File.ReadAllBytesAsync(crashed), root, Path.Join(temp.Path, "log"), CrashArguments(pid),
            new Dictionary<string, string> { ["CORE_COLLECTOR_COMPRESS"] = "true" });

        string leftover;
        await using (var killed = await SiloProcess.StartAsync(temp.Path))
        {
            var session = await SiloFixture.OpenSessionAsync(killed, FileRequest(zstd));
            var (_, _, ws) = await SiloFixture.OpenTerminalAsync(killed.Http, session, Path.GetFileName(zstd));
            await using (var viewer = await TerminalClient.ConnectAsync(ws))
            {
                await viewer.WaitForAsync("(gdb) ");
            }

            leftover = Path.GetDirectoryName(Assert.Single(HandOverFiles(root), f => Path.GetFileName(f) == Path.GetFileName(zstd)[..^4]))!;
            await killed.KillAsync(); // SIGKILL while gdb runs: the terminal's end never comes
        }

        Assert.True(Directory.Exists(leftover), "the killed silo's hand-over directory is already gone, so this test shows nothing");
        await File.WriteAllBytesAsync(Path.Join(leftover, "libbig.so"), new byte[2 << 20]); // as a copied sysroot would hold

        // A pod's three older cores; the newest names the collector's copy of its executable.
        var app = Path.Join(root, "kubernetes", "default", "budget-pod", "app");
        Directory.CreateDirectory(app);
        var cores = Enumerable.Range(1, 3).Select(hour => OlderCore(app, hour)).ToList();
        var copy = Path.Join(Directory.CreateDirectory(Path.Join(root, ".executables")).FullName, "feedbeef");
        await File.WriteAllBytesAsync(copy, new byte[3 << 19]);
        await File.WriteAllTextAsync(cores[2] + ".json", JsonSerializer.Serialize(new { pid = 3, source = "kernel", size = 1 << 20, truncated = false, executableCopy = copy }));

        // Everything but the leftover fits once the oldest core goes; the cores alone fit already.
        var budget = WrittenBytes(root) - (512 << 10);
        Assert.True(WrittenBytes(root) - new FileInfo(copy).Length <= budget);

        await using var restarted = await SiloProcess.StartAsync(temp.Path, $"--Profiler:MaxCoreStoreBytes={budget}");
        Assert.False(Directory.Exists(leftover), "the killed silo's hand-over directory survived the restart");
        Assert.True(await EventuallyAsync(() => !File.Exists(cores[0]), TimeSpan.FromSeconds(30)), "retention did not delete the oldest core:\n" + restarted.LogTail());
        await Task.Delay(TimeSpan.FromSeconds(1)); // the same pass would have deleted more by now
        Assert.False(File.Exists(cores[0] + ".json"));
        Assert.All(cores.Skip(1).Append(copy).Append(zstd), f => Assert.True(File.Exists(f), $"{f} was deleted"));
        Assert.True(WrittenBytes(root) <= budget);
        Assert.Contains("Retention deleted 1 cores", restarted.Log(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_snapshot_or_a_decompression_that_reaches_the_floor_is_stopped_and_its_partial_file_removed()
    {
        using var temp = new TempDirectory();
        var root = Directory.CreateDirectory(Path.Join(temp.Path, "cores")).FullName;
        // A filesystem of its own, 256 MiB, whose floor of 75% leaves 64 MiB to write: less than either 96 MiB file.
        var (mounted, mountOutput) = await Command.RunAsync("mount", ["-t", "tmpfs", "-o", "size=256m", "tmpfs", root], temp.Path);
        Assert.True(mounted == 0, $"mount: {mountOutput}");
        using var hungry = await StartHungryProgramAsync(temp.Path);
        using var sleeper = Process.Start("sleep", "300");
        try
        {
            // A zstd core of 96 MiB (zeros: a few KB compressed), filed by the collector.
            var zstd = await Collector.CollectAsync(new byte[96 << 20], root, Path.Join(temp.Path, "log"), CrashArguments(424242),
                new Dictionary<string, string> { ["CORE_COLLECTOR_COMPRESS"] = "true", ["CORE_COLLECTOR_MIN_FREE_BYTES"] = "0" });
            await using var silo = await SiloProcess.StartAsync(temp.Path, "--Profiler:MinFreeSpace=75%");

            var live = await SiloFixture.OpenSessionAsync(silo, GcoreRequest(hungry.Id));
            using (var snapshot = await silo.Http.PostAsJsonAsync(live + "snapshots", new { pid = hungry.Id }))
            {
                await AssertRefusedAtTheFloorAsync(snapshot, $"The snapshot of pid {hungry.Id} was stopped and its partial core removed", "75%");
            }

            Assert.Empty(Directory.GetFiles(root, $"*{hungry.Id}*", SearchOption.AllDirectories));
            Assert.DoesNotContain(File.ReadAllText($"/proc/{hungry.Id}/stat").Split(") ")[1][..1], "Tt"); // it runs on

            // The metadata says 96 MiB: refused before a byte is written. Without it, stopped at the floor.
            var session = await SiloFixture.OpenSessionAsync(silo, FileRequest(zstd));
            using (var refused = await silo.Http.PostAsJsonAsync(session + "terminals", new { file = Path.GetFileName(zstd) }))
            {
                await AssertRefusedAtTheFloorAsync(refused, "was not decompressed for gdb: it takes 100663296 bytes", "75%");
            }

            File.Delete(zstd[..^4] + ".json");
            using (var stopped = await silo.Http.PostAsJsonAsync(session + "terminals", new { file = Path.GetFileName(zstd) }))
            {
                await AssertRefusedAtTheFloorAsync(stopped, $"Decompressing {Path.GetFileName(zstd)[..^4]} for gdb stopped at", "75%");
            }

            Assert.Empty(HandOverFiles(root));

            // What fits still works: a small process's snapshot.
            var small = await SiloFixture.OpenSessionAsync(silo, GcoreRequest(sleeper.Id));
            using var taken = await silo.Http.PostAsJsonAsync(small + "snapshots", new { pid = sleeper.Id });
            Assert.True(taken.StatusCode == HttpStatusCode.Created, await taken.Content.ReadAsStringAsync());
        }
        finally
        {
            foreach (var process in new[] { hungry, sleeper })
            {
                process.Kill();
                await process.WaitForExitAsync();
            }

            await Command.RunAsync("umount", [root], temp.Path);
        }
    }

    [Fact]
    public async Task An_executable_larger_than_the_room_above_the_floor_is_not_copied_so_no_crash_takes_the_disk_below_it()
    {
        using var temp = new TempDirectory();
        var root = Directory.CreateDirectory(Path.Join(temp.Path, "cores")).FullName;
        // 64 MiB with a floor of 50%: 32 MiB may be written, less than the 48 MiB executable.
        var (mounted, mountOutput) = await Command.RunAsync("mount", ["-t", "tmpfs", "-o", "size=64m", "tmpfs", root], temp.Path);
        Assert.True(mounted == 0, $"mount: {mountOutput}");
        try
        {
            var crasher = await CrashingProgram.BuildAsync(temp.Path);
            var padded = Path.Join(temp.Path, "padded");
            File.Copy(crasher, padded);
            await using (var grow = new FileStream(padded, FileMode.Append)) await grow.WriteAsync(new byte[48 << 20]);
            var crash = new SyntheticCrash(temp.Path, padded, "tenant", "web-1", "app");

            var filed = await crash.CollectAsync("core"u8.ToArray(), root, new Dictionary<string, string> { ["CORE_COLLECTOR_MIN_FREE_SPACE"] = "50%" });

            var metadata = Collector.Metadata(filed);
            Assert.False(metadata.TryGetProperty("executableCopy", out _), "an executable larger than the room above the floor was copied");
            Assert.StartsWith($"executable not kept: it takes {new FileInfo(padded).Length} bytes", metadata.GetProperty("note").GetString(), StringComparison.Ordinal);
            Assert.Empty(Directory.EnumerateFiles(Path.Join(root, ".executables")));
            var space = new DriveInfo(root);
            Assert.True(space.AvailableFreeSpace >= 32L << 20, $"{space.AvailableFreeSpace} bytes free: below the floor");
        }
        finally
        {
            await Command.RunAsync("umount", [root], temp.Path);
        }
    }

    [Fact]
    public async Task A_core_streamed_near_the_floor_is_cut_within_a_chunk_of_it()
    {
        using var temp = new TempDirectory();
        var root = Directory.CreateDirectory(Path.Join(temp.Path, "cores")).FullName;
        // 128 MiB with a floor of 40%: about 77 MiB may be written, then a 120 MiB core arrives.
        var (mounted, mountOutput) = await Command.RunAsync("mount", ["-t", "tmpfs", "-o", "size=128m", "tmpfs", root], temp.Path);
        Assert.True(mounted == 0, $"mount: {mountOutput}");
        try
        {
            var crasher = await CrashingProgram.BuildAsync(temp.Path);
            var crash = new SyntheticCrash(temp.Path, crasher, "tenant", "web-1", "app");

            var filed = await crash.CollectAsync(System.Security.Cryptography.RandomNumberGenerator.GetBytes(120 << 20), root,
                new Dictionary<string, string> { ["CORE_COLLECTOR_MIN_FREE_SPACE"] = "40%" });

            Assert.StartsWith("cut: free space reached MinFreeSpace (40%)", Collector.Metadata(filed).GetProperty("note").GetString(), StringComparison.Ordinal);
            var floor = (long)(0.4 * (128L << 20));
            var free = new DriveInfo(root).AvailableFreeSpace;
            Assert.True(free >= floor - (2L << 20), $"{free} bytes free: {floor - free} below the floor, more than a chunk");
        }
        finally
        {
            await Command.RunAsync("umount", [root], temp.Path);
        }
    }

    /// <summary>A process with 96 MiB of memory written (so gcore writes it all), ready when it says so.</summary>
    private static async Task<Process> StartHungryProgramAsync(string directory)
    {
        var source = Path.Join(directory, "hungry.c");
        await File.WriteAllTextAsync(source, """
            #include <stdio.h>
            #include <stdlib.h>
            #include <string.h>
            #include <unistd.h>
            int main(void) {
                size_t n = 96u << 20;
                char *p = malloc(n);
                for (size_t i = 0; i < n; i++) p[i] = (char)(i * 2654435761u >> 24);
                puts("ready");
                fflush(stdout);
                pause();
                return p[0];
            }
            """);
        var executable = Path.Join(directory, "hungry");
        var (code, output) = await Command.RunAsync("gcc", ["-O0", "-o", executable, source], directory);
        Assert.True(code == 0, $"gcc: {output}");
        var hungry = Process.Start(new ProcessStartInfo(executable) { RedirectStandardOutput = true })!;
        Assert.Equal("ready", await hungry.StandardOutput.ReadLineAsync());
        return hungry;
    }

    [Fact]
    public async Task A_free_space_floor_that_is_neither_bytes_nor_a_percentage_stops_the_silo_with_one_line()
    {
        using var temp = new TempDirectory();
        var (exitCode, output) = await SiloProcess.RunToRefusalAsync($"--Profiler:CoreRoot={temp.Path}", "--Profiler:MinFreeSpace=5 percent");

        Assert.Equal(1, exitCode);
        var line = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.StartsWith("core-file-profiler: refusing to start: Profiler:MinFreeSpace: '5 percent' is neither bytes", line, StringComparison.Ordinal);
    }

    private static string[] CrashArguments(int pid) =>
        ["-P", pid.ToString(CultureInfo.InvariantCulture), "-s", "11", "-t", DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture), "-e", "crasher"];

    /// <summary>A node-level core by its path (loopback callers are admins, who may name one).</summary>
    private static Dictionary<string, string> FileRequest(string core)
    {
        var body = SiloFixture.CoredumpRequest(pod: null);
        body[SiloFixture.Parameter + "filepath"] = core;
        return body;
    }

    private static Dictionary<string, string> GcoreRequest(int pid) => new()
    {
        [SiloFixture.Parameter + "expiration_seconds"] = "120",
        [SiloFixture.Parameter + "type"] = "gcore",
        [SiloFixture.Parameter + "pid"] = pid.ToString(CultureInfo.InvariantCulture),
    };

    private static async Task AssertRefusedAtTheFloorAsync(HttpResponseMessage response, string expected, string floor = Floor)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"{(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var detail = JsonDocument.Parse(body).RootElement.GetProperty("detail").GetString();
        Assert.Contains(expected, detail, StringComparison.Ordinal);
        Assert.Contains($"Profiler:MinFreeSpace ({floor})", detail, StringComparison.Ordinal);
    }

    private static string[] HandOverFiles(string root) =>
        Directory.Exists(Path.Join(root, ".sandbox")) ? Directory.GetFiles(Path.Join(root, ".sandbox"), "*", SearchOption.AllDirectories) : [];

    /// <summary>Cores, metadata and executable copies: what retention may count and delete.</summary>
    private static long WrittenBytes(string root) =>
        Directory.GetFiles(root, "*", SearchOption.AllDirectories)
            .Where(f => !f.StartsWith(Path.Join(root, ".sandbox") + "/", StringComparison.Ordinal))
            .Sum(f => new FileInfo(f).Length);

    private static string OlderCore(string directory, int hour)
    {
        var core = Path.Join(directory, $"{hour}_20261130-0{hour}0000");
        File.WriteAllBytes(core, new byte[1 << 20]);
        File.WriteAllText(core + ".json", "{}");
        File.SetLastWriteTimeUtc(core, DateTime.UtcNow.AddHours(hour - 4));
        return core;
    }

    private static async Task<bool> EventuallyAsync(Func<bool> condition, TimeSpan within)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > within) return false;
            await Task.Delay(200);
        }

        return true;
    }
}
