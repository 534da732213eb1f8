namespace CoreFileProfiler.Node.Processes;

/// <summary>A process as /proc shows it.</summary>
/// <param name="ContainerId">The 64-hex container id from its cgroup, when it runs in a container.</param>
public sealed record ProcessInfo(int Pid, int ParentPid, string User, string State, string Command, string? ContainerId);
