using CoreFileProfiler.Store;

namespace CoreFileProfiler.Collector;

/// <summary>
/// What <see cref="MappedObjectKeeper"/> has kept so far and what it left out, readable while it still
/// runs: when it overruns the collector's time, the metadata gets what was done by then.
/// </summary>
public sealed class KeepingProgress
{
    private readonly Lock _lock = new();
    private readonly List<MappedObject> _objects = [];
    private readonly List<string> _skipped = [];

    public void Add(MappedObject kept)
    {
        lock (_lock) _objects.Add(kept);
    }

    public void Skip(string why)
    {
        lock (_lock) _skipped.Add(why);
    }

    public (IReadOnlyList<MappedObject>? Objects, IReadOnlyList<string> Skipped) Snapshot()
    {
        lock (_lock) return (_objects.Count > 0 ? [.. _objects] : null, [.. _skipped]);
    }
}
