namespace CoreFileProfiler.Node.Terminals;

/// <summary>What one shared terminal admits, so no viewer can make it big or hold others back (README, Configuration).</summary>
/// <param name="MaxViewers">Viewers at once, read-only watchers too (<c>Profiler:MaxViewersPerTerminal</c>).</param>
/// <param name="MaxViewerBacklogBytes">Output waiting for one viewer before it is cut off (<c>Profiler:MaxViewerBacklogBytes</c>).</param>
/// <param name="MaxInputBytes">Input waiting for the program to read it (<c>Profiler:MaxTerminalInputBytes</c>).</param>
/// <param name="InputWait">How long input may wait for room before its sender is refused (<c>Profiler:TerminalInputWaitSeconds</c>).</param>
public sealed record TerminalLimits(int MaxViewers, long MaxViewerBacklogBytes, long MaxInputBytes, TimeSpan InputWait)
{
    public static TerminalLimits Default { get; } = new ProfilerOptions().TerminalLimits;

    /// <summary>The refusal of a viewer beyond <paramref name="maxViewers"/>, wherever it is checked.</summary>
    public static string TooManyViewers(int maxViewers) =>
        $"This terminal already has {maxViewers} viewers (Profiler:MaxViewersPerTerminal); try again when one leaves.";
}
