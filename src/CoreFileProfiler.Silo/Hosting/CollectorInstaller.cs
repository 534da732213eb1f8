using System.Diagnostics;
using CoreFileProfiler.Node;
using Microsoft.Extensions.Options;

namespace CoreFileProfiler.Silo.Hosting;

/// <summary>
/// Installs the core collector as <c>kernel.core_pattern</c> at start-up, only when
/// <c>Profiler:CollectorPath</c> says so, and logs what it replaced (the collector saves it for
/// <c>core-collector uninstall</c>). It stays installed when the silo stops, so crashes during a
/// rollout are still collected.
/// </summary>
internal sealed class CollectorInstaller(IOptions<ProfilerOptions> options, ILogger<CollectorInstaller> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.CollectorPath is not { Length: > 0 } collector) return;
        var start = new ProcessStartInfo(collector, "install") { RedirectStandardOutput = true, RedirectStandardError = true };
        using var install = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {collector}.");
        var output = await install.StandardOutput.ReadToEndAsync(cancellationToken) + await install.StandardError.ReadToEndAsync(cancellationToken);
        await install.WaitForExitAsync(cancellationToken);
        if (install.ExitCode == 0) logger.LogWarning("Installed the core collector: {Output}", output.Trim());
        else logger.LogError("Installing the core collector {Collector} failed ({ExitCode}): {Output}", collector, install.ExitCode, output.Trim());
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
