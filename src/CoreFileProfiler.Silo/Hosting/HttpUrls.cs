namespace CoreFileProfiler.Silo.Hosting;

/// <summary>A list setting of URLs the silo calls out to: only absolute http and https URLs; anything else refuses the start, naming the setting.</summary>
public static class HttpUrls
{
    public static IReadOnlyList<Uri> Parse(string setting, IEnumerable<string> entries) => entries.Select(entry =>
        Uri.TryCreate(entry, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps) && url.Host.Length > 0
            ? url
            : throw new StartupRefusedException(setting, $"'{entry}' is not an absolute http or https URL")).ToList();
}
