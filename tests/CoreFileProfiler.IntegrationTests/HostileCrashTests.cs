using System.Diagnostics;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using CoreFileProfiler.IntegrationTests.Support;
using Xunit.Abstractions;
using HostileElf = CoreFileProfiler.Tests.Support.HostileElf;

namespace CoreFileProfiler.IntegrationTests;

/// <summary>
/// Crafted crashes through the real collector, on stdin with a synthetic /proc whose
/// <c>&lt;pid&gt;/exe</c> is the hostile file (the kernel could not be made to produce most of them):
/// each is filed with its metadata, within 100 MiB of peak memory and a few seconds.
/// </summary>
public sealed class HostileCrashTests(ITestOutputHelper output)
{
    private const long MaxPeakRssBytes = 100L << 20;
    private const string ContainerId = "5b8b2c0e3d1f4a6b9c7d8e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d";

    public static TheoryData<string> Corpus => [.. HostileElf.Corpus().Select(entry => entry.Name)];

    [Theory]
    [MemberData(nameof(Corpus))]
    public async Task A_crash_of_a_hostile_executable_is_filed_within_the_collectors_memory_and_time(string name)
    {
        var (_, bytes, hasBuildId) = HostileElf.Corpus().Single(e => e.Name == name);
        using var temp = new TempDirectory();
        const int pid = 4242;
        var proc = SyntheticProcess(temp.Path, pid, bytes, "0::/user.slice/user-0.slice/session-1.scope\n");

        var run = await Collector.CollectMeasuredAsync(bytes, Path.Join(temp.Path, "cores"), Path.Join(temp.Path, "log"), ["-P", $"{pid}", "-s", "11", "-t", "1795000000"],
            new Dictionary<string, string> { ["CORE_COLLECTOR_PROC_ROOT"] = proc, ["CORE_COLLECTOR_MIN_FREE_BYTES"] = "0" });
        output.WriteLine($"{name}: {bytes.Length} B; collector peak RSS {run.PeakRssMiB:F1} MiB, {run.Elapsed.TotalMilliseconds:F0} ms");

        Assert.True(run.PeakRssBytes < MaxPeakRssBytes, $"peak RSS {run.PeakRssMiB:F1} MiB");
        Assert.True(run.Elapsed < TimeSpan.FromSeconds(10), $"took {run.Elapsed}");
        Assert.Equal(bytes, await File.ReadAllBytesAsync(run.Path));
        var metadata = Collector.Metadata(run.Path);
        Assert.Equal(bytes.Length, metadata.GetProperty("size").GetInt64());
        Assert.Equal("crasher", metadata.GetProperty("comm").GetString());
        Assert.Equal(hasBuildId ? Convert.ToHexStringLower(HostileElf.BuildId) : null, metadata.TryGetProperty("buildId", out var id) ? id.GetString() : null);
        Assert.False(metadata.TryGetProperty("skipped", out _), "nothing should have been skipped");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_whole_1_GiB_core_compressed_or_not_fits_within_the_collectors_own_limits(bool compress)
    {
        using var temp = new TempDirectory();
        // Sparse but for a random first 16 MiB: big, cheap to make, and not all zeros for zstd.
        var source = Path.Join(temp.Path, "big-core");
        await using (var file = File.Create(source))
        {
            await file.WriteAsync(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16 << 20));
            file.SetLength(1L << 30);
        }

        await using var core = File.OpenRead(source);
        var run = await Collector.CollectMeasuredAsync(core, Path.Join(temp.Path, "cores"), Path.Join(temp.Path, "log"), ["-P", "4545", "-t", "1795000000"],
            new Dictionary<string, string> { ["CORE_COLLECTOR_MIN_FREE_BYTES"] = "0", ["CORE_COLLECTOR_COMPRESS"] = $"{compress}" });
        output.WriteLine($"1 GiB core, compress={compress}: collector peak RSS {run.PeakRssMiB:F1} MiB, {run.Elapsed.TotalMilliseconds:F0} ms, {new FileInfo(run.Path).Length} B on disk");

        var metadata = Collector.Metadata(UncompressedName(run.Path));
        Assert.Equal(1L << 30, metadata.GetProperty("size").GetInt64());
        Assert.False(metadata.GetProperty("truncated").GetBoolean());
        Assert.True(run.PeakRssBytes < MaxPeakRssBytes, $"peak RSS {run.PeakRssMiB:F1} MiB");
    }

    [Fact]
    public async Task A_runtime_that_answers_a_byte_at_a_time_is_left_behind_at_the_deadline_and_the_metadata_says_so()
    {
        using var temp = new TempDirectory();
        const int pid = 4343;
        var program = HostileElf.ProgramWithBuildId();
        var proc = SyntheticProcess(temp.Path, pid, program, $"0::/system.slice/docker-{ContainerId}.scope\n");
        var socket = Path.Join(temp.Path, "docker.sock");
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(socket));
        listener.Listen();
        using var stop = new CancellationTokenSource();
        var trickle = TrickleAsync(listener, stop.Token);
        try
        {
            var clock = Stopwatch.StartNew();
            var filed = await Collector.CollectAsync(program, Path.Join(temp.Path, "cores"), Path.Join(temp.Path, "log"), ["-P", $"{pid}", "-t", "1795000000"],
                new Dictionary<string, string>
                {
                    ["CORE_COLLECTOR_PROC_ROOT"] = proc, ["CORE_COLLECTOR_MIN_FREE_BYTES"] = "0",
                    ["CORE_COLLECTOR_DOCKER_ENDPOINT"] = "unix://" + socket, ["CORE_COLLECTOR_ENRICHMENT_SECONDS"] = "3",
                });
            output.WriteLine($"filed in {clock.ElapsedMilliseconds} ms with Docker answering a byte every half second");

            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(8), $"took {clock.Elapsed}");
            var metadata = Collector.Metadata(filed);
            Assert.Equal(ContainerId, metadata.GetProperty("containerId").GetString());
            Assert.Equal(["container names: not done within EnrichmentSeconds (3 s)", "process details: EnrichmentSeconds (3 s) used up before it", "build-id and executable copy: EnrichmentSeconds (3 s) used up before it", "mapped objects: EnrichmentSeconds (3 s) used up before it"],
                metadata.GetProperty("skipped").EnumerateArray().Select(s => s.GetString()));
            Assert.Equal(program, await File.ReadAllBytesAsync(filed));
        }
        finally
        {
            await stop.CancelAsync();
            await trickle;
        }
    }

    [Fact]
    public async Task A_dump_that_stalls_is_cut_at_MaxStreamSeconds_under_the_collectors_own_resource_limits()
    {
        using var temp = new TempDirectory();
        var start = new ProcessStartInfo(Collector.Executable)
        {
            ArgumentList = { "-P", "4444", "-t", "1795000000" },
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            Environment =
            {
                ["CORE_COLLECTOR_CORE_ROOT"] = Path.Join(temp.Path, "cores"), ["CORE_COLLECTOR_LOG_ROOT"] = Path.Join(temp.Path, "log"),
                ["CORE_COLLECTOR_MIN_FREE_BYTES"] = "0", ["CORE_COLLECTOR_MAX_STREAM_SECONDS"] = "2",
            },
        };

        var clock = Stopwatch.StartNew();
        using var collector = Process.Start(start)!;
        // Four bytes, then nothing, and the pipe stays open: a dump stuck on a page that never comes.
        await collector.StandardInput.BaseStream.WriteAsync("ELF?"u8.ToArray());
        await collector.StandardInput.BaseStream.FlushAsync();
        var limits = "";
        // CollectorLimits sets the address space first and the CPU time second: wait for the second.
        Assert.True(SpinWait.SpinUntil(() => Regex.IsMatch(limits = ReadLimits(collector.Id), @"Max cpu time\s+180\s"), TimeSpan.FromSeconds(2)), limits);
        Assert.Matches(@"Max cpu time\s+180\s+181\s+seconds", limits);
        Assert.Matches(@"Max address space\s+1073741824\s+1073741824\s+bytes", limits);
        Assert.True(await Task.Run(() => collector.WaitForExit(TimeSpan.FromSeconds(6))), "the collector still waits for the core");
        output.WriteLine($"filed after {clock.ElapsedMilliseconds} ms of a dump that stalled");

        var core = (await collector.StandardOutput.ReadToEndAsync()).Trim();
        Assert.Equal("ELF?"u8.ToArray(), await File.ReadAllBytesAsync(core));
        var metadata = Collector.Metadata(core);
        Assert.True(metadata.GetProperty("truncated").GetBoolean());
        Assert.Equal("cut at MaxStreamSeconds (2 s)", metadata.GetProperty("note").GetString());
    }

    [KernelFact]
    public async Task The_kernel_pipes_the_crash_of_a_crafted_executable_and_the_collector_files_it_within_its_limits()
    {
        using var temp = new TempDirectory();
        var crafted = await CraftedExecutable.BuildAsync(temp.Path);
        await using var collector = await InstalledCollector.InstallAsync();

        var clock = Stopwatch.StartNew();
        var (_, pid) = await CrashingProgram.CrashAsync(crafted, Path.Join(temp.Path, "crash"), expectCoreFile: false);
        var core = Assert.Single(await InstalledCollector.WaitForCoresAsync(collector.CoreRoot, 1));
        output.WriteLine($"{new FileInfo(crafted).Length} B executable with {CraftedExecutable.ExtraNoteHeaders} more headers on its 16 MiB note: filed {clock.ElapsedMilliseconds} ms after the crash");

        var metadata = Collector.Metadata(core);
        Assert.Equal(pid, metadata.GetProperty("pid").GetInt32());
        Assert.Equal(11, metadata.GetProperty("signal").GetInt32());
        Assert.Equal(crafted, metadata.GetProperty("exe").GetString());
        Assert.False(metadata.GetProperty("truncated").GetBoolean());
        Assert.False(metadata.TryGetProperty("skipped", out _), "nothing should have been skipped");
        // Its real build-id note comes first in the note segment: found within the build-id budget.
        var (_, notes) = await Command.RunAsync("readelf", ["-n", crafted]);
        Assert.Contains("Build ID: " + metadata.GetProperty("buildId").GetString(), notes, StringComparison.Ordinal);
        var (_, backtrace) = await Command.RunAsync("gdb", ["-q", "-batch", "-nh", "-ex", "bt", crafted, core]);
        Assert.Contains(CrashingProgram.CrashingFunction, backtrace, StringComparison.Ordinal);
    }

    private static string UncompressedName(string path) => path.EndsWith(".zst", StringComparison.Ordinal) ? path[..^4] : path;

    private static string ReadLimits(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/limits");
        }
        catch (IOException)
        {
            return ""; // gone already
        }
    }

    /// <summary>A /proc/&lt;pid&gt; of the crashed process: its executable (a plain file here), cgroup, comm and cmdline.</summary>
    private static string SyntheticProcess(string root, int pid, byte[] executable, string cgroup)
    {
        var proc = Path.Join(root, "proc");
        var process = Directory.CreateDirectory(Path.Join(proc, $"{pid}")).FullName;
        File.WriteAllBytes(Path.Join(process, "exe"), executable);
        File.WriteAllText(Path.Join(process, "cgroup"), cgroup);
        File.WriteAllText(Path.Join(process, "comm"), "crasher\n");
        File.WriteAllText(Path.Join(process, "cmdline"), "crasher\0test\0");
        Directory.CreateDirectory(Path.Join(root, "log", "containers"));
        return proc;
    }

    /// <summary>A Docker Engine socket that accepts and answers one byte every half second, for ever.</summary>
    private static async Task TrickleAsync(Socket listener, CancellationToken stop)
    {
        try
        {
            using var connection = await listener.AcceptAsync(stop);
            var response = "HTTP/1.0 200 OK\r\n\r\n"u8.ToArray();
            for (var i = 0; ; i++)
            {
                await connection.SendAsync(response.AsMemory(i % response.Length, 1), stop);
                await Task.Delay(500, stop);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException)
        {
            // the test is over, or the collector left
        }
    }
}
