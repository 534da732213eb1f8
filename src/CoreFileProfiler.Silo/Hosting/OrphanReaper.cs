using CoreFileProfiler.Node.Terminals;

namespace CoreFileProfiler.Silo.Hosting;

/// <summary>
/// At start-up, kills any gdb an earlier run of the silo left behind (if it was killed before
/// its children's parent-death signal could take them, or they survived it some other way).
/// </summary>
internal sealed class OrphanReaper(ILogger<OrphanReaper> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var killed = ChildProcessOwner.KillOrphans();
        if (killed.Count > 0) logger.LogWarning("Killed {Count} processes left by an earlier run: {Pids}", killed.Count, killed);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
