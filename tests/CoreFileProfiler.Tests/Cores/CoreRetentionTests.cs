using CoreFileProfiler.Node;
using CoreFileProfiler.Node.Cores;
using CoreFileProfiler.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace CoreFileProfiler.Tests.Cores;

public sealed class CoreRetentionTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly DateTime _start = DateTime.UtcNow.AddDays(-1);

    public void Dispose() => _temp.Dispose();

    private CoreRetention Retention(int perContainer, long totalBytes)
    {
        var options = Options.Create(new ProfilerOptions { CoreRoot = Path.Join(_temp.Path, "cores"), MaxCoresPerContainer = perContainer, MaxCoreStoreBytes = totalBytes });
        return new CoreRetention(options, new CoreStore(options), NullLogger<CoreRetention>.Instance);
    }

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
}
