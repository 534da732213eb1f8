using System.Globalization;
using CoreFileProfiler.Node.Interop;

namespace CoreFileProfiler.Node.Terminals;

/// <summary>
/// Marks every process the profiler starts with its owner (this process's pid and start time)
/// so that a silo starting after a crash can find and kill what an earlier run left behind,
/// without touching the children of another silo that is still alive on the same machine.
/// </summary>
public static class ChildProcessOwner
{
    public const string Variable = "CORE_FILE_PROFILER_OWNER";

    /// <summary>This process's mark: <c>&lt;pid&gt;:&lt;start time in clock ticks&gt;</c>.</summary>
    public static string Mark { get; } = $"{Environment.ProcessId}:{StartTime(Environment.ProcessId)}";

    /// <summary>Kills marked processes whose owner is gone; returns their pids.</summary>
    public static IReadOnlyList<int> KillOrphans(string procRoot = "/proc")
    {
        var killed = new List<int>();
        foreach (var directory in Directory.EnumerateDirectories(procRoot))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)) continue;
            if (OwnerOf(directory) is not { } owner || owner == Mark || IsAlive(owner)) continue;
            // Each child leads its own session and process group: take the whole group.
            NodeLibC.Signal(-pid, NodeLibC.SIGKILL);
            NodeLibC.Signal(pid, NodeLibC.SIGKILL);
            killed.Add(pid);
        }

        return killed;
    }

    private static string? OwnerOf(string processDirectory)
    {
        try
        {
            var environment = File.ReadAllText(Path.Join(processDirectory, "environ"));
            var prefix = Variable + "=";
            return environment.Split('\0').FirstOrDefault(e => e.StartsWith(prefix, StringComparison.Ordinal))?[prefix.Length..];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null; // exited meanwhile, or not ours to read
        }
    }

    private static bool IsAlive(string owner)
    {
        var parts = owner.Split(':');
        return parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
            && StartTime(pid) == parts[1];
    }

    /// <summary>Field 22 of /proc/&lt;pid&gt;/stat; with the pid it names one process for the boot's lifetime.</summary>
    private static string? StartTime(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // The command (field 2) may contain spaces and parentheses; fields after it are plain.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return fields[19];
        }
        catch (IOException)
        {
            return null;
        }
    }
}
