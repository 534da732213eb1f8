using CoreFileProfiler.Tests.Support;

namespace CoreFileProfiler.Tests.Grains;

public sealed class DebugSessionLifetimeTests : SingleNodeClusterTests
{
    [Fact]
    public async Task Expiry_timer_ends_the_session_without_any_request_and_frees_its_slot()
    {
        var session = Cluster.Grains.GetSession(await Profiler.OpenSession(PodCores(seconds: 2)));
        var view = await session.Describe();
        Assert.Equal(Time.GetUtcNow().AddSeconds(2), view.ExpiresAt);

        Time.Advance(TimeSpan.FromSeconds(3));
        // Nobody calls the session: only its timer can make it deactivate.
        await Cluster.Cluster.WaitForDeactivationAsync(session).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(0, (await Profiler.GetStatus()).LiveSessions);
        var refusal = await Assert.ThrowsAsync<ProfilerException>(session.Describe);
        Assert.Equal(ProfilerError.Gone, refusal.Error);
    }

    [Fact]
    public async Task A_session_answers_until_its_last_moment()
    {
        var session = Cluster.Grains.GetSession(await Profiler.OpenSession(PodCores(seconds: 2)));

        Time.Advance(TimeSpan.FromMilliseconds(1999));
        await session.Describe();
        Time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.Equal(ProfilerError.Gone, (await Assert.ThrowsAsync<ProfilerException>(session.Describe)).Error);
    }

    [Fact]
    public async Task Closed_sessions_are_gone_and_unknown_ones_not_found()
    {
        var id = await Profiler.OpenSession(PodCores(seconds: 60));
        await Cluster.Grains.GetSession(id).Close();

        Assert.Equal(ProfilerError.Gone, (await Assert.ThrowsAsync<ProfilerException>(() => Cluster.Grains.GetSession(id).GetFile("app/42_20261127-120000"))).Error);
        Assert.Equal(ProfilerError.Gone, (await Assert.ThrowsAsync<ProfilerException>(Cluster.Grains.GetSession(id).Close)).Error);
        var unknown = SessionId.Create(Node, DateTimeOffset.UtcNow);
        Assert.Equal(ProfilerError.NotFound, (await Assert.ThrowsAsync<ProfilerException>(Cluster.Grains.GetSession(unknown).Describe)).Error);
        // Issued before this node's profiler started: a session of the node's previous life, so gone, not unknown.
        var fromBeforeRestart = SessionId.Create(Node, DateTimeOffset.UtcNow.AddHours(-1));
        Assert.Equal(ProfilerError.Gone, (await Assert.ThrowsAsync<ProfilerException>(Cluster.Grains.GetSession(fromBeforeRestart).Describe)).Error);
        Assert.Equal(ProfilerError.NotFound, Assert.Throws<ProfilerException>(() => Cluster.Grains.GetSession("not-an-id")).Error);
    }

    [Fact]
    public async Task The_node_refuses_sessions_beyond_its_limit_until_one_ends()
    {
        var first = await Profiler.OpenSession(PodCores(seconds: 60));
        await Profiler.OpenSession(PodCores(seconds: 60));

        var refusal = await Assert.ThrowsAsync<ProfilerException>(() => Profiler.OpenSession(PodCores(seconds: 60)));
        Assert.Equal(ProfilerError.Unavailable, refusal.Error);

        await Cluster.Grains.GetSession(first).Close();
        await ProfilerCluster.WaitUntil(async () => (await Profiler.GetStatus()).LiveSessions == 1);
        await Profiler.OpenSession(PodCores(seconds: 60));
    }

    [Fact]
    public async Task Refused_targets_leave_no_session_behind()
    {
        await Assert.ThrowsAsync<ProfilerException>(() => Profiler.OpenSession(PodCores() with { Pod = "missing" }));
        await Assert.ThrowsAsync<ProfilerException>(() => Profiler.OpenSession(PodCores() with { Container = "missing" }));
        await Assert.ThrowsAsync<ProfilerException>(() => Profiler.OpenSession(PodCores() with { Namespace = null, Pod = null, FilePath = "/etc/passwd" }));
        await Assert.ThrowsAsync<ProfilerException>(() => Profiler.OpenSession(PodCores() with { Namespace = "../.." }));

        Assert.Equal(0, (await Profiler.GetStatus()).LiveSessions);
    }

    [Fact]
    public async Task New_cores_appear_in_a_live_session_and_only_listed_files_are_served()
    {
        var session = Cluster.Grains.GetSession(await Profiler.OpenSession(PodCores(seconds: 60)));
        Assert.Single((await session.Describe()).Files);

        Cluster.WriteCore(Node, "default/web-1/sidecar/43_20261127-120100");

        Assert.Equal(2, (await session.Describe()).Files.Count);
        var file = await session.GetFile("sidecar/43_20261127-120100");
        Assert.Equal(Node, file.Node);
        Assert.Equal("core bytes", await File.ReadAllTextAsync(file.FullPath));
        Assert.Equal(ProfilerError.NotFound, (await Assert.ThrowsAsync<ProfilerException>(() => session.GetFile("../../../../etc/passwd"))).Error);
    }
}
