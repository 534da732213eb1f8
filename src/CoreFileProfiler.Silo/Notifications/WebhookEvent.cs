using System.Net.Http.Headers;

namespace CoreFileProfiler.Silo.Notifications;

/// <summary>An encoded CloudEvent waiting for its receivers, with what a log line says of it (never its body).</summary>
/// <param name="Group">The crash group, for people: <c>namespace/container signature</c>.</param>
public sealed record WebhookEvent(ReadOnlyMemory<byte> Body, MediaTypeHeaderValue ContentType, string Group);
