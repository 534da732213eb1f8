using System.Globalization;
using CoreFileProfiler.Store.Containers;
using Microsoft.Extensions.Options;

namespace CoreFileProfiler.Node.Processes;

/// <summary>Reads processes from <c>Profiler:ProcRoot</c> (the host's /proc with hostPID).</summary>
public sealed class ProcessTable(IOptions<ProfilerOptions> options)
{
    private readonly Lazy<Dictionary<int, string>> _users = new(ReadUsers);

    private string ProcRoot => options.Value.ProcRoot;

    public bool Exists(int pid) => pid > 0 && Directory.Exists(Path.Join(ProcRoot, pid.ToString(CultureInfo.InvariantCulture)));

    public IEnumerable<int> AllPids() =>
        Directory.EnumerateDirectories(ProcRoot)
            .Select(Path.GetFileName)
            .Select(name => int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : 0)
            .Where(pid => pid > 0);

    /// <summary>The process now, or null when it has gone (or never was).</summary>
    public ProcessInfo? Read(int pid)
    {
        var directory = Path.Join(ProcRoot, pid.ToString(CultureInfo.InvariantCulture));
        try
        {
            var stat = File.ReadAllText(Path.Join(directory, "stat"));
            var comm = stat[(stat.IndexOf('(') + 1)..stat.LastIndexOf(')')];
            var fields = FieldsAfterComm(stat);
            var commandLine = File.ReadAllText(Path.Join(directory, "cmdline")).TrimEnd('\0').Replace('\0', ' ');
            return new ProcessInfo(
                pid,
                int.Parse(fields[1], CultureInfo.InvariantCulture),
                UserOf(File.ReadAllLines(Path.Join(directory, "status"))),
                fields[0],
                commandLine.Length > 0 ? commandLine : $"[{comm}]",
                comm,
                ExecutableOf(directory),
                CgroupContainerId.Parse(File.ReadAllText(Path.Join(directory, "cgroup"))));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null; // exited while we read it
        }
    }

    /// <summary>
    /// What tells this process from a later one given the same pid: the boot it runs in and its start
    /// time (clock ticks since boot); null once it has gone.
    /// </summary>
    public string? IdentityOf(int pid)
    {
        try
        {
            var startTime = FieldsAfterComm(File.ReadAllText(Path.Join(ProcRoot, pid.ToString(CultureInfo.InvariantCulture), "stat")))[19];
            return $"{File.ReadAllText(Path.Join(ProcRoot, "sys", "kernel", "random", "boot_id")).Trim()}/{startTime}";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or IndexOutOfRangeException)
        {
            return null;
        }
    }

    /// <summary>The fields of <c>/proc/&lt;pid&gt;/stat</c> after the command name, which may hold spaces and parentheses: state first.</summary>
    private static string[] FieldsAfterComm(string stat) => stat[(stat.LastIndexOf(')') + 2)..].Split(' ');

    private static string? ExecutableOf(string processDirectory)
    {
        try
        {
            return new FileInfo(Path.Join(processDirectory, "exe")).LinkTarget;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null; // a kernel thread, or not ours to read
        }
    }

    /// <summary>The container id of a process, reading only its cgroup file.</summary>
    public string? ContainerIdOf(int pid)
    {
        try
        {
            return CgroupContainerId.Parse(File.ReadAllText(Path.Join(ProcRoot, pid.ToString(CultureInfo.InvariantCulture), "cgroup")));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private string UserOf(string[] status)
    {
        var uid = status.FirstOrDefault(l => l.StartsWith("Uid:", StringComparison.Ordinal))?.Split('\t', StringSplitOptions.RemoveEmptyEntries).ElementAtOrDefault(1);
        return uid is not null && int.TryParse(uid, CultureInfo.InvariantCulture, out var id) && _users.Value.TryGetValue(id, out var name) ? name : uid ?? "?";
    }

    /// <summary>Host user names; a container's own users show as numbers.</summary>
    private static Dictionary<int, string> ReadUsers()
    {
        try
        {
            return File.ReadLines("/etc/passwd")
                .Select(line => line.Split(':'))
                .Where(f => f.Length > 2 && int.TryParse(f[2], CultureInfo.InvariantCulture, out _))
                .DistinctBy(f => f[2])
                .ToDictionary(f => int.Parse(f[2], CultureInfo.InvariantCulture), f => f[0]);
        }
        catch (IOException)
        {
            return [];
        }
    }
}
