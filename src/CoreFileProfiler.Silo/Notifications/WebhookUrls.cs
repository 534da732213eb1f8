using CoreFileProfiler.Node;
using CoreFileProfiler.Silo.Hosting;

namespace CoreFileProfiler.Silo.Notifications;

/// <summary><c>Profiler:Webhooks</c>: where crash CloudEvents go. Only absolute http and https URLs; anything else refuses the start.</summary>
public sealed class WebhookUrls(IReadOnlyList<Uri> urls)
{
    public const string Setting = ProfilerOptions.Section + ":Webhooks";

    public IReadOnlyList<Uri> Urls { get; } = urls;

    public static WebhookUrls Parse(IEnumerable<string> entries) => new(entries.Select(entry =>
        Uri.TryCreate(entry, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps) && url.Host.Length > 0
            ? url
            : throw new StartupRefusedException(Setting, $"'{entry}' is not an absolute http or https URL")).ToList());
}
