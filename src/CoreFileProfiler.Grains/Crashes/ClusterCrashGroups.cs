namespace CoreFileProfiler.Grains.Crashes;

/// <summary>One bug's crashes across the cluster: the nodes' groups merged by (namespace, container, signature).</summary>
public static class ClusterCrashGroups
{
    /// <summary>
    /// Counts and hours added, first and last seen widened, the latest crash's pod, image, summary
    /// and frames, every node's kept cores (oldest first) and the nodes; most recent crash first.
    /// </summary>
    public static IReadOnlyList<CrashGroup> Merge(IEnumerable<CrashGroup> groups) =>
        groups
            .GroupBy(g => (g.Namespace, g.Container, g.Signature))
            .Select(same =>
            {
                var latest = same.MaxBy(g => g.LastSeen)!;
                var hours = same.Select(g => g.PerHour).Aggregate((sum, next) => [.. sum.Zip(next, (a, b) => a + b)]);
                return latest with
                {
                    Count = same.Sum(g => g.Count),
                    FirstSeen = same.Min(g => g.FirstSeen),
                    Cores = [.. same.SelectMany(g => g.Cores).OrderBy(c => c.Time)],
                    Nodes = [.. same.SelectMany(g => g.Nodes).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)],
                    PerHour = hours,
                };
            })
            .OrderByDescending(g => g.LastSeen)
            .ToList();
}
