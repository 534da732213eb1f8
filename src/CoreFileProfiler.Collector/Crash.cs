using System.Globalization;
using CoreFileProfiler.Store;

namespace CoreFileProfiler.Collector;

/// <summary>
/// What the kernel tells the handler about a crash, from core_pattern specifiers: named
/// (<c>--pid %P --signal %s --time %t --comm %e --exe %E</c>, or <c>-P -s -t -e -E</c>, which
/// fit the kernel's 128-byte pattern) or the original positional <c>%P %t</c>.
/// </summary>
public sealed record Crash(int Pid, int? Signal, DateTimeOffset Time, string? Comm, string? Exe)
{
    public static Crash Parse(IReadOnlyList<string> args)
    {
        if (args.Count >= 1 && !args[0].StartsWith('-'))
        {
            return new Crash(Int(args[0], "pid"), null, args.Count > 1 ? Epoch(args[1]) : DateTimeOffset.UtcNow, null, null);
        }

        int? pid = null, signal = null;
        DateTimeOffset? time = null;
        string? comm = null, exe = null;
        for (var i = 0; i + 1 < args.Count; i += 2)
        {
            var value = args[i + 1];
            switch (args[i])
            {
                case "--pid" or "-P": pid = Int(value, "pid"); break;
                case "--signal" or "-s": signal = Int(value, "signal"); break;
                case "--time" or "-t": time = Epoch(value); break;
                case "--comm" or "-e": comm = value; break;
                case "--exe" or "-E": exe = value.Replace('!', '/'); break; // %E writes '/' as '!'
                default: throw new ArgumentException($"unknown argument {args[i]}");
            }
        }

        return new Crash(pid ?? throw new ArgumentException("--pid is required"), signal, time ?? DateTimeOffset.UtcNow, comm, exe);
    }

    /// <summary>The core's file name before any collision (<see cref="CoreFileName"/>).</summary>
    public string FileName => CoreFileName.For(Pid, Time);

    private static int Int(string value, string name) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) ? number : throw new ArgumentException($"{name} '{value}' is not a number");

    private static DateTimeOffset Epoch(string value) =>
        long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : throw new ArgumentException($"time '{value}' is not seconds since the epoch");
}
