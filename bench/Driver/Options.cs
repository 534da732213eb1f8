using System.Globalization;

namespace CoreFileProfiler.Bench;

/// <summary><c>--name value</c> pairs and <c>--flag</c>s.</summary>
public sealed class Options(string[] args)
{
    public string Get(string name) =>
        Find(name) ?? throw new ArgumentException($"--{name} is required.");

    public string? Find(string name)
    {
        var at = Array.IndexOf(args, "--" + name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
    }

    public int Number(string name, int fallback) => Find(name) is { } value ? int.Parse(value, CultureInfo.InvariantCulture) : fallback;

    public bool Has(string name) => args.Contains("--" + name);
}
