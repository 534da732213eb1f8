using System.Globalization;

namespace CoreFileProfiler.IntegrationTests.Support;

/// <summary>What a process listens on, read from /proc as <c>ss -ltnp</c> would.</summary>
public static class ProcessSockets
{
    private const string Listen = "0A";

    public static IReadOnlySet<int> ListeningPorts(int pid)
    {
        var inodes = Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd")
            .Select(fd => new FileInfo(fd).LinkTarget ?? "")
            .Where(target => target.StartsWith("socket:[", StringComparison.Ordinal))
            .Select(target => target["socket:[".Length..^1])
            .ToHashSet();
        var ports = new HashSet<int>();
        foreach (var table in new[] { $"/proc/{pid}/net/tcp", $"/proc/{pid}/net/tcp6" })
        {
            foreach (var line in File.ReadLines(table).Skip(1))
            {
                // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields[3] == Listen && inodes.Contains(fields[9]))
                {
                    ports.Add(int.Parse(fields[1].Split(':')[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                }
            }
        }

        return ports;
    }
}
