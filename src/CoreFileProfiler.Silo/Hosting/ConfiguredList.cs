namespace CoreFileProfiler.Silo.Hosting;

/// <summary>
/// A list setting written either as an array (<c>Auth__ProcessorCallers__0=…</c>, JSON) or as one
/// comma-separated value (<c>--Auth:ProcessorCallers=a,b</c>), which the configuration binder alone
/// would silently ignore.
/// </summary>
public static class ConfiguredList
{
    public static IReadOnlyList<string> Read(IConfigurationSection section) =>
        new[] { section.Value }.Concat(section.GetChildren().Select(child => child.Value))
            .SelectMany(value => (value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .ToList();
}
