namespace CoreFileProfiler.IntegrationTests.Support;

/// <summary>A process's state letter from <c>/proc/&lt;pid&gt;/stat</c>: <c>S</c> asleep, <c>T</c>/<c>t</c> stopped.</summary>
internal static class ProcessState
{
    public static string Of(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        return stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[0];
    }
}
