namespace CoreFileProfiler.Tests.Support;

/// <summary>Crash groups as the reporter hands them to observers, for tests of what observes them.</summary>
public static class SampleCrashGroups
{
    public static CrashGroup Of(string signature, long count, string container = "app", string summary = "SIGSEGV in crash_here (crasher.c:7)")
    {
        var time = new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);
        return new CrashGroup(signature, "default", container, "app-7d9c-x2x", "localhost/app:1", count, time, time, summary, 11,
            [new CrashFrame("crash_here", "crasher.c", 7, "crasher")], [new CrashCore("node-a", "/var/lib/kubediag/corefile/kubernetes/default/app-7d9c-x2x/app/42_20261130-120000", time)],
            ["node-a"], [.. new int[23], (int)count]);
    }
}
