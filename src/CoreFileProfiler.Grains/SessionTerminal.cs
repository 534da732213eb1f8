using CoreFileProfiler.Grains.Persistence;
using CoreFileProfiler.Node.Terminals;

namespace CoreFileProfiler.Grains;

/// <summary>A gdb terminal as its session keeps it.</summary>
internal sealed record SessionTerminal(string Id, string Target, SharedTerminal Terminal, DateTimeOffset StartedAt, string WatchId, int? AttachedPid = null)
{
    public string? EndReason { get; set; }

    public bool Running => !Terminal.Ended.IsCompleted;

    /// <summary>What outlives this process: the ids, not gdb.</summary>
    public SavedTerminal Saved => new(Id, Target, StartedAt, WatchId, AttachedPid);

    public TerminalInfo Describe() =>
        new(Id, Target, Terminal.Pid, Terminal.ViewerCount, StartedAt, Running ? null : EndReason ?? "gdb exited.", WatchId, AttachedPid, Terminal.Limits.MaxViewers);
}
