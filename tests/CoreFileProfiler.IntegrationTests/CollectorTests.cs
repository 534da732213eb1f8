using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Security.Cryptography;
using CoreFileProfiler.IntegrationTests.Support;

namespace CoreFileProfiler.IntegrationTests;

[Collection(SiloTests.Name)]
public sealed class CollectorTests(SiloFixture fixture)
{
    private static string Epoch(DateTimeOffset time) => time.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    [Fact]
    public async Task A_core_on_stdin_is_filed_byte_exact_at_the_node_level_mode_0600_with_its_metadata()
    {
        using var temp = new TempDirectory();
        var (core, pid) = await CrashingProgram.CrashAsync(fixture.Crasher, Path.Join(temp.Path, "crash"));
        var bytes = await File.ReadAllBytesAsync(core);
        var time = new DateTimeOffset(2026, 11, 27, 13, 14, 15, TimeSpan.Zero);

        var filed = await Collector.CollectAsync(bytes, Path.Join(temp.Path, "cores"), Path.Join(temp.Path, "log"),
            ["--pid", $"{pid}", "--signal", "11", "--time", Epoch(time), "--comm", "crasher", "--exe", fixture.Crasher.Replace('/', '!')]);

        Assert.Equal(Path.Join(temp.Path, "cores", $"{pid}_20261127-131415"), filed);
        Assert.Equal(SHA256.HashData(bytes), SHA256.HashData(await File.ReadAllBytesAsync(filed)));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(filed));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(filed + ".json"));
        var metadata = Collector.Metadata(filed);
        Assert.Equal(pid, metadata.GetProperty("pid").GetInt32());
        Assert.Equal(11, metadata.GetProperty("signal").GetInt32());
        Assert.Equal(fixture.Crasher, metadata.GetProperty("exe").GetString());
        Assert.Equal(bytes.Length, metadata.GetProperty("size").GetInt64());
        Assert.False(metadata.GetProperty("truncated").GetBoolean());
        Assert.DoesNotContain(Directory.GetFiles(Path.Join(temp.Path, "cores")), f => Path.GetFileName(f).StartsWith('.'));
    }

    [Fact]
    public async Task A_collected_core_shows_its_signal_and_program_and_gdb_finds_the_program_from_the_metadata()
    {
        using var temp = new TempDirectory();
        var (core, pid) = await CrashingProgram.CrashAsync(fixture.Crasher, Path.Join(temp.Path, "crash"));
        var filed = await Collector.CollectAsync(await File.ReadAllBytesAsync(core), fixture.Silo.CoreRoot, Path.Join(temp.Path, "log"),
            ["-P", $"{pid}", "-s", "11", "-t", Epoch(DateTimeOffset.UtcNow), "-e", "crasher", "-E", fixture.Crasher.Replace('/', '!')]);
        var body = SiloFixture.CoredumpRequest(pod: null);
        body[SiloFixture.Parameter + "filepath"] = filed;

        var session = await fixture.OpenSessionAsync(body);

        var file = (await fixture.Silo.Http.GetFromJsonAsync<JsonElement>(session + "api")).GetProperty("files")[0];
        Assert.Equal(11, file.GetProperty("signal").GetInt32());
        Assert.Equal(fixture.Crasher, file.GetProperty("exe").GetString());
        Assert.Contains("SIGSEGV · " + fixture.Crasher, await fixture.Silo.Http.GetStringAsync(session), StringComparison.Ordinal);
        var (_, _, ws) = await SiloFixture.OpenTerminalAsync(fixture.Silo.Http, session, Path.GetFileName(filed));
        await using var viewer = await TerminalClient.ConnectAsync(ws);
        await viewer.WaitForAsync("(gdb) ");
        await viewer.TypeAsync("bt\n");
        await viewer.WaitForAsync(CrashingProgram.CrashingFunction);
        Assert.Contains("(from the collector's metadata)", viewer.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_zstd_core_downloads_as_the_exact_original_bytes_and_gdb_debugs_it_through_the_profiler()
    {
        using var temp = new TempDirectory();
        var (core, pid) = await CrashingProgram.CrashAsync(fixture.Crasher, Path.Join(temp.Path, "crash"));
        var bytes = await File.ReadAllBytesAsync(core);

        var filed = await Collector.CollectAsync(bytes, fixture.Silo.CoreRoot, Path.Join(temp.Path, "log"),
            ["-P", $"{pid}", "-s", "11", "-t", Epoch(DateTimeOffset.UtcNow), "-E", fixture.Crasher.Replace('/', '!')],
            new Dictionary<string, string> { ["CORE_COLLECTOR_COMPRESS"] = "true" });

        Assert.EndsWith(".zst", filed, StringComparison.Ordinal);
        Assert.True(new FileInfo(filed).Length < bytes.Length / 2, "the core is not compressed");
        Assert.Equal(bytes.Length, Collector.Metadata(filed[..^4]).GetProperty("size").GetInt64()); // <pid>_<time>.json, per docs/architecture.md, Core store
        var body = SiloFixture.CoredumpRequest(pod: null);
        body[SiloFixture.Parameter + "filepath"] = filed;
        var session = await fixture.OpenSessionAsync(body);

        using var download = await fixture.Silo.Http.GetAsync($"{session}files/{Path.GetFileName(filed)}");
        Assert.Equal(bytes.Length, download.Content.Headers.ContentLength);
        Assert.Equal(Path.GetFileName(filed)[..^4], download.Content.Headers.ContentDisposition?.FileName);
        Assert.Equal(SHA256.HashData(bytes), SHA256.HashData(await download.Content.ReadAsByteArrayAsync()));

        var (_, _, ws) = await SiloFixture.OpenTerminalAsync(fixture.Silo.Http, session, Path.GetFileName(filed));
        await using (var viewer = await TerminalClient.ConnectAsync(ws))
        {
            await viewer.WaitForAsync("(gdb) ");
            await viewer.TypeAsync("bt\n");
            await viewer.WaitForAsync(CrashingProgram.CrashingFunction);
        }

        // The decompressed copy lives in the terminal's hand-over directory, and goes with it.
        var handOvers = Path.Join(fixture.Silo.CoreRoot, ".sandbox");
        string[] Copies() => Directory.GetFiles(handOvers, Path.GetFileName(filed)[..^4], SearchOption.AllDirectories);
        Assert.Single(Copies());
        await fixture.Silo.Http.DeleteAsync(session);
        Assert.True(SpinWait.SpinUntil(() => Copies().Length == 0, TimeSpan.FromSeconds(10)), "gdb's decompressed copy outlived its terminal");
    }

    [Fact]
    public async Task The_original_positional_arguments_work_too()
    {
        using var temp = new TempDirectory();

        var filed = await Collector.CollectAsync("not really a core"u8.ToArray(), Path.Join(temp.Path, "cores"), Path.Join(temp.Path, "log"), ["4242", "1795000000"]);

        Assert.EndsWith("/4242_20261118-110640", filed, StringComparison.Ordinal); // 1795000000 s after the epoch, UTC
    }

    [Fact]
    public async Task Three_crashes_of_one_pid_in_one_second_are_kept_apart_compressed_or_not_each_with_its_own_metadata()
    {
        using var temp = new TempDirectory();
        var cores = Path.Join(temp.Path, "cores");
        var time = Epoch(new DateTimeOffset(2026, 11, 27, 13, 14, 15, TimeSpan.Zero));
        var compressed = new Dictionary<string, string> { ["CORE_COLLECTOR_COMPRESS"] = "true" };
        byte[][] crashes = [RandomNumberGenerator.GetBytes(4096), RandomNumberGenerator.GetBytes(8192), RandomNumberGenerator.GetBytes(12288)];

        var filed = new List<string>();
        for (var i = 0; i < crashes.Length; i++)
        {
            filed.Add(await Collector.CollectAsync(crashes[i], cores, Path.Join(temp.Path, "log"), ["-P", "4242", "-s", "11", "-t", time], i == 1 ? compressed : null));
        }

        // The compressed second core counts its plain twin's name as taken, and the third counts the second's.
        Assert.Equal(["4242_20261127-131415", "4242_20261127-131415-1.zst", "4242_20261127-131415-2"], filed.Select(Path.GetFileName));
        Assert.Equal(crashes[0], await File.ReadAllBytesAsync(filed[0]));
        Assert.Equal(crashes[2], await File.ReadAllBytesAsync(filed[2]));
        Assert.Equal(crashes.Select(c => (long)c.Length), filed.Select(f => Collector.Metadata(f.EndsWith(".zst", StringComparison.Ordinal) ? f[..^4] : f).GetProperty("size").GetInt64()));
    }

    [Fact]
    public async Task A_core_larger_than_MaxCoreBytes_is_cut_there_and_marked_truncated()
    {
        using var temp = new TempDirectory();
        var big = RandomNumberGenerator.GetBytes(3 << 20);

        var filed = await Collector.CollectAsync(big, Path.Join(temp.Path, "cores"), Path.Join(temp.Path, "log"), ["-P", "77", "-t", Epoch(DateTimeOffset.UtcNow)],
            new Dictionary<string, string> { ["CORE_COLLECTOR_MAX_CORE_BYTES"] = $"{1 << 20}" });

        Assert.Equal(big.AsSpan(0, 1 << 20).ToArray(), await File.ReadAllBytesAsync(filed));
        var metadata = Collector.Metadata(filed);
        Assert.True(metadata.GetProperty("truncated").GetBoolean());
        Assert.Contains("MaxCoreBytes", metadata.GetProperty("note").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task At_the_free_space_floor_nothing_fills_the_disk_and_the_metadata_says_why()
    {
        using var temp = new TempDirectory();

        var filed = await Collector.CollectAsync(new byte[4 << 20], Path.Join(temp.Path, "cores"), Path.Join(temp.Path, "log"), ["-P", "78", "-t", Epoch(DateTimeOffset.UtcNow)],
            new Dictionary<string, string> { ["CORE_COLLECTOR_MIN_FREE_BYTES"] = $"{long.MaxValue}" });

        Assert.False(File.Exists(filed));
        var metadata = Collector.Metadata(filed);
        Assert.Equal(0, metadata.GetProperty("size").GetInt64());
        Assert.Contains("MinFreeBytes", metadata.GetProperty("note").GetString(), StringComparison.Ordinal);
    }

    [KernelFact]
    public async Task The_kernel_pipes_real_crashes_to_the_collector_ten_at_once_without_losing_one()
    {
        await using var collector = await InstalledCollector.InstallAsync();
        using var temp = new TempDirectory();

        var crashes = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => CrashingProgram.CrashAsync(fixture.Crasher, Path.Join(temp.Path, $"crash-{i}"), expectCoreFile: false)));

        var cores = await InstalledCollector.WaitForCoresAsync(collector.CoreRoot, 10);
        Assert.Equal(crashes.Select(c => c.Pid).Order(), cores.Select(c => int.Parse(Path.GetFileName(c).Split('_')[0], CultureInfo.InvariantCulture)).Order());
        Assert.All(cores, core =>
        {
            var metadata = Collector.Metadata(core);
            Assert.Equal(11, metadata.GetProperty("signal").GetInt32());
            Assert.False(metadata.GetProperty("truncated").GetBoolean());
            Assert.Equal(new FileInfo(core).Length, metadata.GetProperty("size").GetInt64());
        });
        var (_, backtrace) = await Command.RunAsync("gdb", ["-q", "-batch", "-nh", "-ex", "bt", fixture.Crasher, cores[0]]);
        Assert.Contains(CrashingProgram.CrashingFunction, backtrace, StringComparison.Ordinal);
    }

    [KernelFact]
    public async Task A_silo_configured_with_a_collector_installs_it_and_serves_what_it_collects()
    {
        using var temp = new TempDirectory();
        var coreRoot = Path.Join(temp.Path, "silo", "cores");
        await using var collector = await InstalledCollector.InstallAsync(coreRoot, install: false);
        var silo = await SiloProcess.StartAsync(Path.Join(temp.Path, "silo"), $"--Profiler:CollectorPath={collector.Executable}");
        try
        {
            Assert.StartsWith($"|{collector.Executable} ", File.ReadAllText("/proc/sys/kernel/core_pattern"), StringComparison.Ordinal);
            var (_, pid) = await CrashingProgram.CrashAsync(fixture.Crasher, Path.Join(temp.Path, "crash"), expectCoreFile: false);
            var core = Assert.Single(await InstalledCollector.WaitForCoresAsync(coreRoot, 1));
            Assert.StartsWith($"{pid}_", Path.GetFileName(core), StringComparison.Ordinal);

            var body = SiloFixture.CoredumpRequest(pod: null);
            body[SiloFixture.Parameter + "filepath"] = core;
            var session = await SiloFixture.OpenSessionAsync(silo, body);
            Assert.Equal(11, (await silo.Http.GetFromJsonAsync<JsonElement>(session + "api")).GetProperty("files")[0].GetProperty("signal").GetInt32());
        }
        finally
        {
            await silo.DisposeAsync();
        }
    }
}
