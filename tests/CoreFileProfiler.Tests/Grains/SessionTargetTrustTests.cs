using CoreFileProfiler.Tests.Support;

namespace CoreFileProfiler.Tests.Grains;

/// <summary>
/// What a node opens for a caller its gateway does not trust: one pod's cores or containers, nothing
/// wider, however the path is spelled (docs/architecture.md, Trust model). In a real in-process silo on a real directory tree.
/// </summary>
public sealed class SessionTargetTrustTests : IAsyncLifetime
{
    private const string Node = "node-0";
    private ProfilerCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await ProfilerCluster.StartAsync();

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    private string Root => _cluster.CoreRoot(Node);

    private string PodDirectory => Path.Join(Root, "kubernetes", "default", "web-1");

    private static SessionRequest Coredump(string filePath, bool trusted) =>
        new(SessionType.Coredump, 60, filePath, 0, null, null, null, trusted);

    private Task<string> Open(SessionRequest request) => _cluster.Grains.GetNodeProfiler(Node).OpenSession(request);

    private async Task<ProfilerException> Refused(SessionRequest request) =>
        await Assert.ThrowsAsync<ProfilerException>(() => Open(request));

    [Fact]
    public async Task An_untrusted_caller_opens_a_pods_directory_a_container_or_one_of_its_cores()
    {
        var core = _cluster.WriteCore(Node, "default/web-1/app/42_20261127-120000");

        foreach (var path in new[] { PodDirectory, Path.GetDirectoryName(core)!, core })
        {
            var view = await _cluster.Grains.GetSession(await Open(Coredump(path, trusted: false))).Describe();
            Assert.Equal("42_20261127-120000", Path.GetFileName(Assert.Single(view.Files).Path));
        }
    }

    [Fact]
    public async Task Wider_paths_are_forbidden_to_an_untrusted_caller_and_open_for_a_trusted_one()
    {
        _cluster.WriteCore(Node, "default/web-1/app/42_20261127-120000");
        var nodeCore = Path.Join(Root, "7_20261127-120000");
        File.WriteAllText(nodeCore, "a crash outside any container");
        File.CreateSymbolicLink(Path.Join(PodDirectory, "whole-store"), Root);

        string[] wide =
        [
            Root,                                              // the whole store
            Path.Join(Root, "kubernetes"),                     // every pod
            Path.Join(Root, "kubernetes", "default"),          // a namespace
            nodeCore,                                          // a node-level core
            Path.Join(PodDirectory, ".."),                     // spelled inside the pod, resolving outside
            Path.Join(PodDirectory, "whole-store"),            // a link out of the pod
            Path.Join(PodDirectory, "whole-store", "7_20261127-120000"),
        ];
        foreach (var path in wide)
        {
            var refusal = await Refused(Coredump(path, trusted: false));
            Assert.True(refusal.Error == ProfilerError.Forbidden, $"{path}: {refusal.Error} {refusal.Message}");
            Assert.Contains("not inside one pod's directory", refusal.Message, StringComparison.Ordinal);
            Assert.Contains("Auth:AdminToken", refusal.Message, StringComparison.Ordinal);
            Assert.Contains("Auth:ProcessorCallers", refusal.Message, StringComparison.Ordinal);

            Assert.NotEmpty(await Open(Coredump(path, trusted: true)));
        }
    }

    [Fact]
    public async Task A_path_outside_the_allowed_roots_is_still_a_400_for_anyone()
    {
        Assert.Equal(ProfilerError.InvalidParameter, (await Refused(Coredump("/etc", trusted: false))).Error);
        Assert.Equal(ProfilerError.InvalidParameter, (await Refused(Coredump("/etc", trusted: true))).Error);
    }

    [Fact]
    public async Task A_pods_directory_swapped_for_a_link_later_shows_nothing_to_an_untrusted_session()
    {
        var core = _cluster.WriteCore(Node, "default/web-1/app/42_20261127-120000");
        _cluster.WriteCore(Node, "default/other/app/1_20261127-120000");
        var container = Path.GetDirectoryName(core)!;
        var session = _cluster.Grains.GetSession(await Open(Coredump(container, trusted: false)));
        Assert.Single((await session.Describe()).Files);

        Directory.Delete(container, recursive: true);
        Directory.CreateSymbolicLink(container, Root);

        Assert.Empty((await session.Describe()).Files);
        var refusal = await Assert.ThrowsAsync<ProfilerException>(() => session.GetFile("kubernetes/default/other/app/1_20261127-120000"));
        Assert.Equal(ProfilerError.Forbidden, refusal.Error);
    }

    [Fact]
    public async Task A_pid_in_no_container_is_forbidden_to_an_untrusted_caller_and_open_for_a_trusted_one()
    {
        // This test process runs in no pod's container.
        var request = new SessionRequest(SessionType.Gcore, 60, null, Environment.ProcessId, null, null, null, TrustedCaller: false);

        var refusal = await Refused(request);

        Assert.Equal(ProfilerError.Forbidden, refusal.Error);
        Assert.Contains($"pid {Environment.ProcessId} belongs to no container", refusal.Message, StringComparison.Ordinal);
        Assert.Contains("Auth:ProcessorCallers", refusal.Message, StringComparison.Ordinal);
        var view = await _cluster.Grains.GetSession(await Open(request with { TrustedCaller = true })).Describe();
        Assert.Equal(Environment.ProcessId, Assert.Single(view.Processes).Pid);
    }
}
