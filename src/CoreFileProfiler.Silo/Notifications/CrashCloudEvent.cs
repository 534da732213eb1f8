using System.Net.Http.Headers;
using System.Text.Json;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.SystemTextJson;

namespace CoreFileProfiler.Silo.Notifications;

/// <summary>A crash notice as a CloudEvent 1.0 in structured mode (docs/architecture.md, Crash notifications): the body every webhook receives.</summary>
public static class CrashCloudEvent
{
    public const string Type = "io.kubediag.corefile.crash";

    // camelCase like the other JSON this service writes; the CloudEvent attributes themselves are the formatter's.
    private static readonly JsonEventFormatter Formatter = new(new JsonSerializerOptions(JsonSerializerDefaults.Web), new JsonDocumentOptions());

    /// <summary>The event, encoded once for every receiver: the body and its <c>Content-Type</c> (<c>application/cloudevents+json</c>).</summary>
    public static (ReadOnlyMemory<byte> Body, MediaTypeHeaderValue ContentType) Encode(CrashNotice notice, DateTimeOffset now)
    {
        var group = notice.Group;
        var cloudEvent = new CloudEvent(CloudEventsSpecVersion.V1_0)
        {
            Id = Guid.CreateVersion7(now).ToString(),
            Source = new Uri($"/nodes/{notice.Node}", UriKind.Relative),
            Type = Type,
            Time = now,
            DataContentType = "application/json",
            Data = new CrashEventData(notice.Node, group.Namespace, group.Pod, group.Container, group.Image, group.Signal,
                group.Signature, group.Summary, group.Count, notice.CountSinceLastEvent),
        };
        var body = Formatter.EncodeStructuredModeMessage(cloudEvent, out var contentType);
        return (body, MediaTypeHeaderValue.Parse(contentType.ToString()));
    }
}
