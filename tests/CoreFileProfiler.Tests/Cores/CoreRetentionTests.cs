using CoreFileProfiler.Node;
using CoreFileProfiler.Node.Cores;
using CoreFileProfiler.Node.Interop;
using CoreFileProfiler.Store;
using CoreFileProfiler.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace CoreFileProfiler.Tests.Cores;

public sealed class CoreRetentionTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly DateTime _start = DateTime.UtcNow.AddDays(-1);
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);

    public void Dispose() => _temp.Dispose();

    private string Root => Path.Join(_temp.Path, "cores");

    private CoreRetention Retention(int perContainer, long totalBytes)
    {
        var options = Options.Create(new ProfilerOptions { CoreRoot = Root, MaxCoresPerContainer = perContainer, MaxCoreStoreBytes = totalBytes });
        return new CoreRetention(options, new CoreStore(options), _time, NullLogger<CoreRetention>.Instance);
    }

    /// <summary>The collector's copy of an executable, as it names it in a core's metadata.</summary>
    private string ExecutableCopy(string name, int bytes) => _temp.Write(Path.Join("cores", ExecutableCopies.Folder, name), new string('e', bytes));

    /// <summary>A core whose metadata names <paramref name="copy"/>, as the collector writes it.</summary>
    private string CoreNaming(string relative, int minute, int bytes, string? copy)
    {
        var path = Core(relative, minute, bytes);
        new CoreMetadata(1, 11, _start, "/app", "app", "/app", null, null, null, null, "kernel", bytes, Truncated: false, ExecutableCopy: copy).WriteBeside(path);
        return path;
    }

    private void PassTheGracePeriod() => _time.Advance(CoreRetention.ExecutableCopyGrace + TimeSpan.FromMinutes(1));

    /// <summary>A core of <paramref name="bytes"/> written <paramref name="minute"/> minutes after the start, with metadata.</summary>
    private string Core(string relative, int minute, int bytes = 100)
    {
        var path = _temp.Write(Path.Join("cores", relative), new string('x', bytes));
        File.WriteAllText(path + ".json", "{}");
        File.SetLastWriteTimeUtc(path, _start.AddMinutes(minute));
        return path;
    }

    [Fact]
    public void Beyond_the_per_container_count_the_oldest_cores_go_with_their_metadata()
    {
        var cores = Enumerable.Range(0, 12).Select(i => Core($"kubernetes/default/web/app/{i}_x", minute: i)).ToList();
        var other = Core("kubernetes/default/web/sidecar/1_x", minute: 0);

        var deleted = Retention(perContainer: 10, totalBytes: long.MaxValue).Enforce();

        Assert.Equal(cores.Take(2).Order(), deleted.Order());
        Assert.All(cores.Take(2), c => Assert.False(File.Exists(c) || File.Exists(c + ".json")));
        Assert.All(cores.Skip(2).Append(other), c => Assert.True(File.Exists(c) && File.Exists(c + ".json")));
    }

    [Fact]
    public void Beyond_the_byte_budget_the_oldest_cores_of_the_node_go_first()
    {
        var oldest = Core("kubernetes/default/web/app/1_x", minute: 1, bytes: 1000);
        var nodeLevel = Core("7_x", minute: 2, bytes: 1000);
        var newer = Core("kubernetes/default/api/app/2_x", minute: 3, bytes: 1000);
        var newest = Core("kubernetes/default/web/app/3_x", minute: 4, bytes: 1000);

        var deleted = Retention(perContainer: 10, totalBytes: 2500).Enforce();

        Assert.Equal(new[] { oldest, nodeLevel }.Order(), deleted.Order());
        Assert.True(File.Exists(newer) && File.Exists(newest));
    }

    [Fact]
    public void Within_the_limits_nothing_is_touched() =>
        Assert.Empty(Retention(perContainer: 10, totalBytes: long.MaxValue).Enforce());

    [Fact]
    public void Executable_copies_count_toward_the_byte_budget()
    {
        var copy = ExecutableCopy("b1d", bytes: 15_000);
        var cores = Enumerable.Range(0, 4).Select(i => CoreNaming($"kubernetes/default/web/app/{i}_x", minute: i, bytes: 10_000, copy)).ToList();

        // Cores and metadata alone (about 41 kB) fit in 50 kB; with the copy they do not.
        var deleted = Retention(perContainer: 10, totalBytes: 50_000).Enforce();

        Assert.Equal([cores[0]], deleted);
        Assert.True(File.Exists(copy));
    }

    [Fact]
    public void Hand_over_directories_count_and_a_hard_linked_core_counts_once()
    {
        var older = Core("kubernetes/default/web/app/1_x", minute: 1, bytes: 10_000);
        var newer = Core("kubernetes/default/web/app/2_x", minute: 2, bytes: 10_000);
        var handOver = Directory.CreateDirectory(Path.Join(Root, ".sandbox", "0123abcd", "sysroot")).Parent!.FullName;
        File.CreateSymbolicLink(Path.Join(handOver, "elsewhere"), "/usr/bin");
        using (var core = File.OpenRead(newer)) Assert.True(NodeLibC.TryHardLink(core.SafeFileHandle, Path.Join(handOver, "2_x")));

        Assert.Empty(Retention(perContainer: 10, totalBytes: 25_000).Enforce()); // the link is the core's bytes, the symlink nothing

        File.WriteAllText(Path.Join(handOver, "sysroot", "libc.so.6"), new string('l', 10_000)); // a decompressed core or a sysroot: bytes of its own
        Assert.Equal([older], Retention(perContainer: 10, totalBytes: 25_000).Enforce());
        Assert.True(File.Exists(Path.Join(handOver, "sysroot", "libc.so.6")));
    }

    [Fact]
    public void A_copy_no_core_names_goes_after_the_grace_period()
    {
        var named = ExecutableCopy("named", bytes: 100);
        var unnamed = ExecutableCopy("unnamed", bytes: 100);
        var inProgress = ExecutableCopy(".named2.4242.tmp", bytes: 100);
        CoreNaming("kubernetes/default/web/app/1_x", minute: 1, bytes: 100, named);

        Retention(perContainer: 10, totalBytes: long.MaxValue).Enforce();
        Assert.True(File.Exists(unnamed) && File.Exists(inProgress)); // just written: its crash's metadata may be on its way

        PassTheGracePeriod();
        Retention(perContainer: 10, totalBytes: long.MaxValue).Enforce();
        Assert.False(File.Exists(unnamed) || File.Exists(inProgress));
        Assert.True(File.Exists(named));
    }

    [Fact]
    public void A_copy_goes_with_the_last_core_that_names_it()
    {
        var shared = ExecutableCopy("shared", bytes: 100);
        var own = ExecutableCopy("own", bytes: 100);
        var oldest = CoreNaming("kubernetes/default/web/app/1_x", minute: 1, bytes: 100, own);
        CoreNaming("kubernetes/default/web/app/2_x", minute: 2, bytes: 100, shared);
        CoreNaming("kubernetes/default/web/app/3_x", minute: 3, bytes: 100, shared);
        PassTheGracePeriod();

        var deleted = Retention(perContainer: 2, totalBytes: long.MaxValue).Enforce();

        Assert.Equal([oldest], deleted);
        Assert.False(File.Exists(own));
        Assert.True(File.Exists(shared));
    }

    [Fact]
    public void Kept_objects_and_debug_files_stay_while_a_core_names_them_count_in_the_budget_and_go_with_their_last_core()
    {
        string Hex(char c, int length) => new(c, length);
        var library = new MappedObject("/usr/lib/libshop.so", Hex('a', 40), Hex('1', 64), Hex('2', 64));
        var libraryCopy = _temp.Write(Path.Join("cores", ExecutableCopies.Folder, library.CopyName!), new string('l', 5_000));
        var debugCopy = _temp.Write(Path.Join("cores", DebugInfoCopies.Folder, library.DebugCopyName!), new string('d', 5_000));
        var stray = _temp.Write(Path.Join("cores", DebugInfoCopies.Folder, $"{Hex('b', 40)}-{Hex('3', 64)}"), new string('s', 100));
        var older = Core("kubernetes/default/web/app/1_x", minute: 1, bytes: 100);
        new CoreMetadata(1, 11, _start, "/app", "app", "/app", null, null, null, null, "kernel", 100, Truncated: false, Objects: [library]).WriteBeside(older);
        var newer = Core("kubernetes/default/web/app/2_x", minute: 2, bytes: 100);
        PassTheGracePeriod();

        // Everything fits: the named copies stay, the debug file no core names goes.
        Assert.Empty(Retention(perContainer: 10, totalBytes: 20_000).Enforce());
        Assert.True(File.Exists(libraryCopy) && File.Exists(debugCopy));
        Assert.False(File.Exists(stray));

        // 10,000 bytes of copies count: the store is over 5,000, so the oldest core goes, and its copies with it.
        Assert.Equal([older], Retention(perContainer: 10, totalBytes: 5_000).Enforce());
        Assert.False(File.Exists(libraryCopy) || File.Exists(debugCopy));
        Assert.True(File.Exists(newer));
    }

    [Fact]
    public void Retention_never_follows_a_symlink_out_of_the_store()
    {
        var outside = _temp.Write("outside/victim", new string('v', 100));
        Directory.CreateDirectory(Root);
        File.CreateSymbolicLink(Path.Join(Root, ExecutableCopies.Folder), Path.GetDirectoryName(outside)!);
        Directory.CreateDirectory(Path.Join(Root, ".sandbox"));
        File.CreateSymbolicLink(Path.Join(Root, ".sandbox", "victim"), outside);
        PassTheGracePeriod();

        Retention(perContainer: 10, totalBytes: 0).Enforce();

        Assert.True(File.Exists(outside));
    }
}
