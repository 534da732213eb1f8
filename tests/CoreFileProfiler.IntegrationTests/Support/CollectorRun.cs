namespace CoreFileProfiler.IntegrationTests.Support;

/// <summary>One run of the collector: the core it filed, its peak resident memory and how long it ran (zero when not measured).</summary>
public sealed record CollectorRun(string Path, long PeakRssBytes, TimeSpan Elapsed)
{
    public double PeakRssMiB => PeakRssBytes / 1048576.0;
}
