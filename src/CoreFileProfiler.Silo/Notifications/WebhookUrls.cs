using CoreFileProfiler.Node;
using CoreFileProfiler.Silo.Hosting;

namespace CoreFileProfiler.Silo.Notifications;

/// <summary><c>Profiler:Webhooks</c>: where crash CloudEvents go. Only absolute http and https URLs; anything else refuses the start.</summary>
public sealed class WebhookUrls(IReadOnlyList<Uri> urls)
{
    public const string Setting = ProfilerOptions.Section + ":Webhooks";

    public IReadOnlyList<Uri> Urls { get; } = urls;

    public static WebhookUrls Parse(IEnumerable<string> entries) => new(HttpUrls.Parse(Setting, entries));
}
