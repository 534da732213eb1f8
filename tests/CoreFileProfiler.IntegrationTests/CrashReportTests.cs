using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using CoreFileProfiler.IntegrationTests.Support;
using HostileElf = CoreFileProfiler.Tests.Support.HostileElf;

namespace CoreFileProfiler.IntegrationTests;

/// <summary>
/// Crash reports as a user meets them (docs/architecture.md, Crash reports): real programs crash
/// in a pod-labelled container of the private dockerd, the kernel pipes each core to the
/// published collector, and a real silo on that store reports, groups and budgets them, seen
/// through <c>/api/crashes</c>, the session JSON and <c>/metrics</c>.
/// </summary>
[Collection(LiveContainersTests.Name)]
public sealed class CrashReportTests(LiveContainersFixture fixture)
{
    private const string Pod = "looping-pod";

    [KernelFact]
    public async Task A_crash_is_reported_within_ten_seconds_a_loop_of_it_keeps_three_cores_and_another_bug_is_another_group()
    {
        using var temp = new TempDirectory();
        await using var silo = await SiloProcess.StartAsync(Path.Join(temp.Path, "silo"));
        await using var collector = await InstalledCollector.InstallAsync(silo.CoreRoot);
        var program = await TwoBugProgram.BuildAsync(temp.Path);
        var worker = await StartPodContainerAsync(collector, "worker", program);
        var before = await CrashesCountedAsync(silo, "worker");

        // One crash: its report names the function and line within 10 s of it.
        var clock = Stopwatch.StartNew();
        await CrashAsync(worker);
        var group = await WaitForGroupAsync(silo, g => Count(g) == 1, TimeSpan.FromSeconds(10));
        var reportedIn = clock.Elapsed;
        var summary = $"SIGSEGV in {TwoBugProgram.CrashingFunction} ({TwoBugProgram.SourceFile}:{TwoBugProgram.CrashingLine})";
        Assert.True(reportedIn < TimeSpan.FromSeconds(10), $"reported after {reportedIn}");
        Assert.Equal(summary, group.GetProperty("summary").GetString());
        Assert.Equal((Pod, "default", "worker"), (group.GetProperty("pod").GetString(), group.GetProperty("namespace").GetString(), group.GetProperty("container").GetString()));
        var top = group.GetProperty("frames")[0];
        Assert.Equal(TwoBugProgram.CrashingFunction, top.GetProperty("function").GetString());
        Assert.Equal(TwoBugProgram.CrashingLine, top.GetProperty("line").GetInt32());
        Assert.Equal(11, group.GetProperty("signal").GetInt32());
        var signature = group.GetProperty("signature").GetString()!;

        // The session on the pod shows the same line beside the core before anyone opens gdb.
        var session = await SiloFixture.OpenSessionAsync(silo, SiloFixture.CoredumpRequest(Pod, "worker"));
        var file = (await silo.Http.GetFromJsonAsync<JsonElement>(session + "api")).GetProperty("files")[0];
        Assert.Equal(summary, file.GetProperty("summary").GetString());
        Assert.Equal(signature, file.GetProperty("signature").GetString());

        // A crash loop: twelve more. One group counts all thirteen, and three cores stay: the first and the newest.
        var first = Assert.Single(Cores(silo, "worker"));
        for (var i = 0; i < 12; i++) await CrashAsync(worker);
        group = await WaitForGroupAsync(silo, g => Count(g) == 13, TimeSpan.FromSeconds(60));
        Assert.Equal(signature, group.GetProperty("signature").GetString());
        var kept = Cores(silo, "worker");
        Assert.Equal(3, kept.Length);
        Assert.Contains(first, kept);
        Assert.Equal(kept.Order(), group.GetProperty("cores").EnumerateArray().Select(c => c.GetProperty("path").GetString()!).Order());
        Assert.Equal(13, Directory.GetFiles(Path.GetDirectoryName(first)!, "*.report.json").Length); // every crash keeps its report
        Assert.Equal(13, group.GetProperty("perHour").EnumerateArray().Sum(h => h.GetInt32()));
        Assert.Equal(13, await CrashesCountedAsync(silo, "worker") - before);

        // Another bug of the same container is another group.
        await CrashAsync(worker, "elsewhere");
        var other = await WaitForGroupAsync(silo, g => g.GetProperty("signature").GetString() != signature, TimeSpan.FromSeconds(10));
        Assert.StartsWith($"SIGSEGV in {TwoBugProgram.OtherFunction} ({TwoBugProgram.SourceFile}:", other.GetProperty("summary").GetString(), StringComparison.Ordinal);
        Assert.Equal(2, (await CrashGroupsAsync(silo)).Count(g => g.GetProperty("container").GetString() == "worker"));
    }

    [KernelFact]
    public async Task A_program_without_symbols_is_reported_by_module_and_offset()
    {
        using var temp = new TempDirectory();
        await using var silo = await SiloProcess.StartAsync(Path.Join(temp.Path, "silo"));
        await using var collector = await InstalledCollector.InstallAsync(silo.CoreRoot);
        var program = await TwoBugProgram.BuildAsync(temp.Path, stripped: true);
        var bare = await StartPodContainerAsync(collector, "bare", program);

        await CrashAsync(bare);

        var group = await WaitForGroupAsync(silo, g => g.GetProperty("container").GetString() == "bare", TimeSpan.FromSeconds(10));
        var top = group.GetProperty("frames")[0];
        Assert.False(top.TryGetProperty("function", out var function) && function.ValueKind == JsonValueKind.String, $"a stripped program named {function}");
        Assert.Equal("crasher", top.GetProperty("module").GetString()); // the file the process mapped: /crasher in its container
        var offset = top.GetProperty("offset").GetUInt64();
        Assert.Equal($"SIGSEGV at crasher+0x{offset:x}", group.GetProperty("summary").GetString());
    }

    [Fact]
    public async Task Cores_gdb_cannot_read_get_a_report_that_says_so_and_the_next_honest_crash_is_reported_in_full()
    {
        using var temp = new TempDirectory();
        await using var silo = await SiloProcess.StartAsync(Path.Join(temp.Path, "silo"));
        var crasher = await CrashingProgram.BuildAsync(temp.Path);
        var (honest, pid) = await CrashingProgram.CrashAsync(crasher, Path.Join(temp.Path, "crash"));
        var bytes = await File.ReadAllBytesAsync(honest);

        // What an attacker can make the kernel pipe: no ELF at all, a crafted ELF core, a core cut short.
        byte[][] hostile = [System.Security.Cryptography.RandomNumberGenerator.GetBytes(64 << 10), HostileElf.AsCore(HostileElf.CoreWithNotes()), bytes[..8192]];
        var filed = new List<string>();
        foreach (var core in hostile) filed.Add(await CollectAsync(silo, temp, core, pid));
        var reports = await Task.WhenAll(filed.Select(core => CrashReportFiles.WaitForAsync(core, silo)));
        Assert.Equal("gdb found no stack in the core", reports[0].GetProperty("error").GetString());
        Assert.Equal("SIGSEGV (no backtrace: gdb found no stack in the core)", reports[0].GetProperty("summary").GetString());
        Assert.Equal("SIGSEGV", reports[1].GetProperty("summary").GetString()); // a frame the crafted core gives nothing to name
        Assert.DoesNotContain(reports[1].GetProperty("frames").EnumerateArray(), frame => frame.TryGetProperty("function", out _));
        Assert.StartsWith("SIGSEGV", reports[2].GetProperty("summary").GetString(), StringComparison.Ordinal); // what a cut core still says

        // Nothing broke: the honest crash after them is reported in full.
        var report = await CrashReportFiles.WaitForAsync(await CollectAsync(silo, temp, bytes, pid, crasher), silo);
        Assert.Equal($"SIGSEGV in {CrashingProgram.CrashingFunction} ({CrashingProgram.SourceFile}:{CrashingProgram.CrashingLine})", report.GetProperty("summary").GetString());
        Assert.False(report.TryGetProperty("error", out _), "an honest core's report has an error");
    }

    [Fact]
    public async Task A_gdb_that_overruns_its_time_is_killed_and_the_report_says_so()
    {
        using var temp = new TempDirectory();
        await using var silo = await SiloProcess.StartAsync(Path.Join(temp.Path, "silo"), "--Profiler:CrashReportTimeoutSeconds=0.05");
        var crasher = await CrashingProgram.BuildAsync(temp.Path);
        var (core, pid) = await CrashingProgram.CrashAsync(crasher, Path.Join(temp.Path, "crash"));

        var report = await CrashReportFiles.WaitForAsync(await CollectAsync(silo, temp, await File.ReadAllBytesAsync(core), pid, crasher), silo);

        Assert.Equal("gdb did not finish within 0.05 s (or printed more than 4 MiB) and was killed", report.GetProperty("error").GetString());
        Assert.StartsWith("SIGSEGV (no backtrace: gdb did not finish", report.GetProperty("summary").GetString(), StringComparison.Ordinal);
        Assert.Empty(GdbChildrenOf(silo.Pid));
        Assert.Equal(1, (await CrashGroupsAsync(silo)).Sum(Count));
    }

    /// <summary>Runs the published collector by hand as the kernel would, filing <paramref name="core"/> at the store's root; returns its path.</summary>
    private static Task<string> CollectAsync(SiloProcess silo, TempDirectory temp, byte[] core, int pid, string? exe = null) =>
        Collector.CollectAsync(core, silo.CoreRoot, Path.Join(temp.Path, "log"),
            ["-P", pid.ToString(CultureInfo.InvariantCulture), "-s", "11", "-t", DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture), .. exe is null ? Array.Empty<string>() : ["-E", exe.Replace('/', '!')]]);

    /// <summary>A container of <see cref="Pod"/> with <paramref name="program"/> in it at <c>/crasher</c>, named by the kubelet's log link.</summary>
    private async Task<string> StartPodContainerAsync(InstalledCollector collector, string container, string program)
    {
        var id = await fixture.Docker.RunPodContainerAsync("default", Pod, container, "/bin/sleep", "300");
        File.CreateSymbolicLink(Path.Join(collector.LogRoot, "containers", $"{Pod}_default_{container}-{id}.log"), $"/var/log/pods/x/{container}/0.log");
        Assert.Equal(0, (await fixture.Docker.DockerAsync("cp", program, $"{id}:/crasher")).ExitCode);
        return id;
    }

    private async Task CrashAsync(string container, params string[] arguments)
    {
        var (exitCode, output) = await fixture.Docker.DockerAsync(["exec", container, "/crasher", .. arguments]);
        Assert.True(exitCode == 139, $"the crasher exited {exitCode}: {output}");
    }

    private static string[] Cores(SiloProcess silo, string container)
    {
        var directory = Path.Join(silo.CoreRoot, "kubernetes", "default", Pod, container);
        return Directory.GetFiles(directory).Where(f => !Path.GetFileName(f).StartsWith('.') && !f.EndsWith(".json", StringComparison.Ordinal)).ToArray();
    }

    /// <summary>The command lines of gdbs the silo still runs.</summary>
    private static List<string> GdbChildrenOf(int parent) =>
        [.. Directory.EnumerateDirectories("/proc").Select(Path.GetFileName).Where(name => name!.All(char.IsAsciiDigit)).Select(pid =>
        {
            try
            {
                var stat = File.ReadAllText($"/proc/{pid}/stat");
                var command = File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
                return stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1] == parent.ToString(CultureInfo.InvariantCulture) && command.Contains("gdb", StringComparison.Ordinal) ? command : null;
            }
            catch (IOException)
            {
                return null; // gone meanwhile
            }
        }).OfType<string>()];

    private static long Count(JsonElement group) => group.GetProperty("count").GetInt64();

    private static async Task<List<JsonElement>> CrashGroupsAsync(SiloProcess silo) =>
        [.. (await silo.Http.GetFromJsonAsync<JsonElement>("/api/crashes")).EnumerateArray()];

    private static async Task<JsonElement> WaitForGroupAsync(SiloProcess silo, Func<JsonElement, bool> condition, TimeSpan within)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var groups = await CrashGroupsAsync(silo);
            if (groups.FirstOrDefault(condition) is { ValueKind: JsonValueKind.Object } found) return found;
            if (clock.Elapsed > within) throw new TimeoutException($"No such crash group within {within}: {JsonSerializer.Serialize(groups)}\n{silo.LogTail()}");
            await Task.Delay(100);
        }
    }

    /// <summary><c>cfp_crashes_total</c> of a container of the pod's namespace, by segfault.</summary>
    private static async Task<double> CrashesCountedAsync(SiloProcess silo, string container)
    {
        var metrics = await silo.Http.GetStringAsync("/metrics");
        var line = metrics.Split('\n').FirstOrDefault(l => l.StartsWith("cfp_crashes_total{", StringComparison.Ordinal)
            && l.Contains($"container=\"{container}\"", StringComparison.Ordinal) && l.Contains("namespace=\"default\"", StringComparison.Ordinal)
            && l.Contains("signal=\"SIGSEGV\"", StringComparison.Ordinal));
        return line is null ? 0 : double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
    }
}
