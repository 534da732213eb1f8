using System.Diagnostics;
using System.Globalization;
using CoreFileProfiler.Tests.Support;
using Orleans.Core.Internal;

namespace CoreFileProfiler.Tests.Grains;

/// <summary>
/// What a lost activation (as after a restart of the node's silo) leaves of a session and of its node:
/// each comes back from grain storage on its next activation, expiry timer and limits included.
/// </summary>
public sealed class SessionRestoreTests : SingleNodeClusterTests
{
    [Fact]
    public async Task A_session_comes_back_with_its_target_and_expiry_and_its_restored_timer_ends_it_on_time()
    {
        var session = Cluster.Grains.GetSession(await Profiler.OpenSession(PodCores(seconds: 60)));
        var before = await session.Describe();

        await LoseActivationAsync(session);

        var after = await session.Describe();
        Assert.Equal(before.ExpiresAt, after.ExpiresAt);
        Assert.Equal(before.CreatedAt, after.CreatedAt);
        Assert.Equal(before.Files.Select(f => f.Path), after.Files.Select(f => f.Path));

        Time.Advance(TimeSpan.FromSeconds(61));
        // Nobody calls the session: only its restored timer can make it deactivate.
        await Cluster.Cluster.WaitForDeactivationAsync(session).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(ProfilerError.Gone, (await Assert.ThrowsAsync<ProfilerException>(session.Describe)).Error);
        await ProfilerCluster.WaitUntil(async () => (await Profiler.GetStatus()).LiveSessions == 0);
    }

    [Fact]
    public async Task A_session_whose_time_ran_out_while_it_was_down_is_gone_and_frees_its_slot()
    {
        var session = Cluster.Grains.GetSession(await Profiler.OpenSession(PodCores(seconds: 60)));
        await LoseActivationAsync(session);

        Time.Advance(TimeSpan.FromSeconds(61));

        Assert.Equal(ProfilerError.Gone, (await Assert.ThrowsAsync<ProfilerException>(session.Describe)).Error);
        Assert.Equal(0, (await Profiler.GetStatus()).LiveSessions);
        await Profiler.OpenSession(PodCores(seconds: 60));
        await Profiler.OpenSession(PodCores(seconds: 60));
    }

    [Fact]
    public async Task The_node_still_lists_counts_and_limits_its_sessions_after_its_activation_is_lost()
    {
        var ids = new[] { await Profiler.OpenSession(PodCores(seconds: 60)), await Profiler.OpenSession(PodCores(seconds: 60)) };

        await LoseActivationAsync(Profiler);

        Assert.Equal(ids.Order(), (await Profiler.ListSessions()).Select(s => s.Id).Order());
        Assert.Equal(2, (await Profiler.GetStatus()).LiveSessions);
        Assert.Equal(ProfilerError.Unavailable, (await Assert.ThrowsAsync<ProfilerException>(() => Profiler.OpenSession(PodCores(seconds: 60)))).Error);

        await Cluster.Grains.GetSession(ids[0]).Close();
        await ProfilerCluster.WaitUntil(async () => (await Profiler.GetStatus()).LiveSessions == 1);
        await Profiler.OpenSession(PodCores(seconds: 60));
    }

    [Fact]
    public async Task A_restored_pid_session_does_not_take_a_new_process_with_the_same_pid_for_its_target()
    {
        var first = Sleep();
        Process? second = null;
        try
        {
            var pid = first.Id;
            var request = new SessionRequest(SessionType.Gcore, 60, null, pid, null, null, null, TrustedCaller: true);
            var session = Cluster.Grains.GetSession(await Profiler.OpenSession(request));
            Assert.Equal(pid, Assert.Single((await session.Describe()).Processes).Pid);

            await LoseActivationAsync(session);
            first.Kill();
            await first.WaitForExitAsync();
            second = SleepWithPid(pid);

            Assert.Empty((await session.Describe()).Processes);
            var refusal = await Assert.ThrowsAsync<ProfilerException>(() => session.StartSnapshot(pid));
            Assert.Equal(ProfilerError.NotFound, refusal.Error);
            Assert.Contains("no longer the process this session was opened for", refusal.Message, StringComparison.Ordinal);
            Assert.False(second.HasExited); // untouched
        }
        finally
        {
            Stop(first);
            if (second is not null) Stop(second);
        }
    }

    private static Process Sleep() => Process.Start("sleep", "30");

    /// <summary>A new process given <paramref name="pid"/>, through the kernel's <c>ns_last_pid</c> (as CRIU restores pids); retried while other forks take it first.</summary>
    private static Process SleepWithPid(int pid)
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            File.WriteAllText("/proc/sys/kernel/ns_last_pid", (pid - 1).ToString(CultureInfo.InvariantCulture));
            var process = Sleep();
            if (process.Id == pid) return process;
            Stop(process);
        }

        throw new InvalidOperationException($"Could not start a process with pid {pid}.");
    }

    private static void Stop(Process process)
    {
        if (!process.HasExited) process.Kill();
        process.WaitForExit();
        process.Dispose();
    }

    private async Task LoseActivationAsync(IAddressable grain)
    {
        var deactivated = Cluster.Cluster.WaitForDeactivationAsync(grain);
        await grain.AsReference<IGrainManagementExtension>().DeactivateOnIdle();
        await deactivated.WaitAsync(TimeSpan.FromSeconds(10));
    }
}
