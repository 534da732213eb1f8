using System.Globalization;

namespace CoreFileProfiler.IntegrationTests.Support;

/// <summary>A process's TCP sockets, read from /proc as <c>ss -tnp</c> would.</summary>
public static class ProcessSockets
{
    private const string Listen = "0A";
    private const string Established = "01";

    public static IReadOnlySet<int> ListeningPorts(int pid) =>
        Sockets(pid).Where(s => s.State == Listen).Select(s => s.LocalPort).ToHashSet();

    /// <summary>The bytes waiting to be read in each of the process's connections to <paramref name="remotePort"/>.</summary>
    public static IReadOnlyList<long> UnreadBytesFrom(int pid, int remotePort) =>
        Sockets(pid).Where(s => s.State == Established && s.RemotePort == remotePort).Select(s => s.Unread).ToList();

    private static IEnumerable<(string State, int LocalPort, int RemotePort, long Unread)> Sockets(int pid)
    {
        var inodes = Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd")
            .Select(fd => new FileInfo(fd).LinkTarget ?? "")
            .Where(target => target.StartsWith("socket:[", StringComparison.Ordinal))
            .Select(target => target["socket:[".Length..^1])
            .ToHashSet();
        foreach (var table in new[] { $"/proc/{pid}/net/tcp", $"/proc/{pid}/net/tcp6" })
        {
            foreach (var line in File.ReadLines(table).Skip(1))
            {
                // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (!inodes.Contains(fields[9])) continue;
                yield return (fields[3], PortOf(fields[1]), PortOf(fields[2]), long.Parse(fields[4].Split(':')[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture));
            }
        }
    }

    private static int PortOf(string address) => int.Parse(address.Split(':')[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
}
