namespace CoreFileProfiler.IntegrationTests.Support;

/// <summary>
/// A silo of its own for the gateway's limits: its memory is measured from a fresh start, it runs at most
/// two gdb processes (so the cap is reached with two), and a terminal's input queue is small and waits 2 s,
/// so a flood is refused quickly. Viewers per terminal and body timeouts keep their defaults.
/// </summary>
public sealed class GatewayLimitsFixture() : SiloFixture([
    "--Profiler:MaxGdbProcesses=2",
    $"--Profiler:MaxTerminalInputBytes={64 << 10}",
    "--Profiler:TerminalInputWaitSeconds=2",
]);
