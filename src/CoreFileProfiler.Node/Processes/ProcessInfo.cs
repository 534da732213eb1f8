namespace CoreFileProfiler.Node.Processes;

/// <summary>A process as /proc shows it.</summary>
/// <param name="Comm">The kernel's short name of the program.</param>
/// <param name="Executable">The program's path as the process sees it (inside its container); null when unreadable.</param>
/// <param name="ContainerId">The 64-hex container id from its cgroup, when it runs in a container.</param>
public sealed record ProcessInfo(int Pid, int ParentPid, string User, string State, string Command, string Comm, string? Executable, string? ContainerId);
