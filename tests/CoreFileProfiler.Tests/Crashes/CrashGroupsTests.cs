using System.Globalization;
using CoreFileProfiler.Grains.Crashes;
using CoreFileProfiler.Node;
using CoreFileProfiler.Node.Cores;
using CoreFileProfiler.Store;
using CoreFileProfiler.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace CoreFileProfiler.Tests.Crashes;

/// <summary>A node's crash groups and their budget, on a real store in a temporary directory.</summary>
public sealed class CrashGroupsTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    private readonly TempDirectory _temp = new();
    private readonly FakeTimeProvider _time = new(Start);

    public void Dispose() => _temp.Dispose();

    private string Root => Path.Join(_temp.Path, "cores");

    private CrashGroups Groups(int perSignature = 3)
    {
        var options = Options.Create(new ProfilerOptions { NodeName = "node-a", CoreRoot = Root, CoresPerSignature = perSignature });
        return new CrashGroups(options, new CoreStore(options), _time, NullLogger<CrashGroups>.Instance);
    }

    /// <summary>A crash of pod <paramref name="pod"/>'s container <c>app</c>, <paramref name="minute"/> minutes after the start: its core, metadata and report.</summary>
    private (string Core, CoreMetadata Metadata, CrashReport Report) Crash(int minute, string function = "crash_here", string pod = "web-1", bool compressed = false)
    {
        var time = Start.AddMinutes(minute);
        var name = $"{100 + minute}_{time.UtcDateTime.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}";
        var core = _temp.Write(Path.Join("cores", "kubernetes", "default", pod, "app", name + (compressed ? CompressedCore.Extension : "")));
        var metadata = new CoreMetadata(100 + minute, 11, time, "/app", "app", "/app", "c0ffee", "default", pod, "app", "kernel", 10, Truncated: false, BuildId: "ab12", Image: "app:1");
        metadata.WriteBeside(core);
        CrashFrame[] frames = [new(function, "app.c", 7, "app", 0x1135)];
        var report = new CrashReport(11, "SIGSEGV", "0x0", frames, 1, $"SIGSEGV in {function} (app.c:7)", CrashSignature.Of("ab12", "/app", frames), null, time);
        CrashReportFile.WriteFor(core, report);
        return (core, metadata, report);
    }

    [Fact]
    public void A_crash_loop_keeps_the_first_and_newest_cores_and_counts_every_crash_across_pods_and_restarts()
    {
        var groups = Groups();
        var crashes = Enumerable.Range(0, 13).Select(minute => Crash(minute, pod: $"web-{minute % 2}", compressed: minute == 1)).ToList();
        var firsts = crashes.Select(c => groups.Add(c.Core, c.Metadata, c.Report).IsNew).ToList();

        Assert.Equal([true, .. Enumerable.Repeat(false, 12)], firsts);
        var group = Assert.Single(Groups().List()); // another instance: read back from the store, as after a restart
        Assert.Equal(13, group.Count);
        Assert.Equal(("web-0", Start, Start.AddMinutes(12)), (group.Pod, group.FirstSeen, group.LastSeen));
        Assert.Equal([crashes[0].Core, crashes[11].Core, crashes[12].Core], group.Cores.Select(c => c.Path));
        Assert.All(crashes.Skip(1).Take(10), c => Assert.False(File.Exists(c.Core), $"{c.Core} outlived the budget"));
        Assert.False(File.Exists(CompressedCore.Uncompressed(crashes[1].Core)));
        Assert.All(crashes, c => Assert.NotNull(CrashReportFile.ReadFor(c.Core))); // every crash keeps its report and metadata
        Assert.All(crashes, c => Assert.NotNull(CoreMetadata.ReadFor(c.Core)));
        Assert.Equal(24, group.PerHour.Count);
        Assert.Equal(13, group.PerHour[^1]);
        Assert.Equal(["node-a"], group.Nodes);
    }

    [Fact]
    public void Another_function_is_another_group_and_only_the_newest_uncored_reports_are_kept()
    {
        var groups = Groups(perSignature: 1);
        var loop = Enumerable.Range(0, CrashGroups.MaxUncored + 6).Select(minute => Crash(minute)).ToList();
        foreach (var (core, metadata, report) in loop) groups.Add(core, metadata, report);
        var other = Crash(100, function: "crash_elsewhere");
        Assert.True(groups.Add(other.Core, other.Metadata, other.Report).IsNew);

        Assert.Equal(2, groups.List().Count);
        Assert.Equal("SIGSEGV in crash_elsewhere (app.c:7)", groups.List()[0].Summary); // most recent first
        Assert.Equal([loop[0].Core], groups.List()[1].Cores.Select(c => c.Path));
        // The first crash keeps its core; of the rest, the newest MaxUncored keep metadata and report.
        Assert.All(loop.Skip(1).Take(5), c => Assert.Null(CrashReportFile.ReadFor(c.Core)));
        Assert.All(loop.Skip(6), c => Assert.NotNull(CrashReportFile.ReadFor(c.Core)));
    }

    [Fact]
    public void A_group_pushed_out_by_newer_ones_takes_its_kept_reports_of_removed_cores_with_it()
    {
        var groups = Groups(perSignature: 1);
        var loop = Enumerable.Range(0, 3).Select(minute => Crash(minute)).ToList();
        foreach (var (core, metadata, report) in loop) groups.Add(core, metadata, report);
        Assert.All(loop.Skip(1), c => Assert.NotNull(CrashReportFile.ReadFor(c.Core)));

        // As many newer bugs as a node keeps groups: the loop's group is the one whose last crash is oldest.
        for (var i = 0; i < CrashGroups.MaxGroups; i++)
        {
            var other = Crash(10 + i, function: $"crash_{i}", pod: "web-2");
            groups.Add(other.Core, other.Metadata, other.Report);
        }

        Assert.Equal(CrashGroups.MaxGroups, groups.List().Count);
        Assert.DoesNotContain(groups.List(), g => g.Summary == "SIGSEGV in crash_here (app.c:7)");
        Assert.All(loop.Skip(1), c => Assert.Null(CrashReportFile.ReadFor(c.Core)));
        Assert.All(loop.Skip(1), c => Assert.Null(CoreMetadata.ReadFor(c.Core)));
    }

    [Fact]
    public void A_core_retention_removed_leaves_the_group_counting_and_listing_the_rest()
    {
        var groups = Groups();
        var crashes = Enumerable.Range(0, 3).Select(minute => Crash(minute)).ToList();
        foreach (var (core, metadata, report) in crashes) groups.Add(core, metadata, report);

        File.Delete(crashes[0].Core); // as retention deletes one

        var group = Assert.Single(groups.List());
        Assert.Equal(3, group.Count);
        Assert.Equal([crashes[1].Core, crashes[2].Core], group.Cores.Select(c => c.Path));
    }

    [Fact]
    public void The_cluster_merges_a_bugs_groups_of_every_node()
    {
        var one = Groups();
        var (core, metadata, report) = Crash(0);
        var onA = one.Add(core, metadata, report).Group;
        var onB = onA with { Count = 4, Nodes = ["node-b"], LastSeen = Start.AddHours(1), Pod = "web-9", Cores = [new("node-b", "/b/core", Start.AddHours(1))], PerHour = [.. Enumerable.Repeat(1, 24)] };
        var elsewhere = onA with { Container = "sidecar" };

        var merged = ClusterCrashGroups.Merge([onA, onB, elsewhere]);

        Assert.Equal(2, merged.Count);
        var both = merged.Single(g => g.Container == "app");
        Assert.Equal((5L, "web-9", Start, Start.AddHours(1)), (both.Count, both.Pod, both.FirstSeen, both.LastSeen));
        Assert.Equal(["node-a", "node-b"], both.Nodes);
        Assert.Equal([core, "/b/core"], both.Cores.Select(c => c.Path));
        Assert.Equal(2, both.PerHour[^1]);
    }
}
