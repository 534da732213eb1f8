namespace CoreFileProfiler.Bench;

/// <summary>Measurements of one thing: the median and the 99th percentile (nearest rank).</summary>
public sealed class Samples
{
    private readonly List<double> _values = [];

    public int Count => _values.Count;

    public void Add(double value)
    {
        lock (_values) _values.Add(value);
    }

    public void AddRange(Samples other)
    {
        lock (_values) _values.AddRange(other._values);
    }

    public double Median => Percentile(50);

    public double P99 => Percentile(99);

    public double Percentile(double p)
    {
        lock (_values)
        {
            if (_values.Count == 0) return double.NaN;
            var sorted = _values.Order().ToList();
            var rank = (int)Math.Ceiling(p / 100 * sorted.Count);
            return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
        }
    }
}
