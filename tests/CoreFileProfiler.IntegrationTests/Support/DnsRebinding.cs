namespace CoreFileProfiler.IntegrationTests.Support;

/// <summary>
/// What a page of another site sees after rebinding its DNS name to 127.0.0.1: requests to
/// <c>http://evil.example:&lt;port&gt;</c> (that Host, and that Origin when a browser adds one) reach the
/// silo's loopback listener.
/// </summary>
public static class DnsRebinding
{
    public const string Host = "evil.example";

    public static string Origin(int port) => $"http://{Host}:{port}";

    /// <summary>An HTTP client (and WebSocket invoker) for <see cref="Origin"/> whose connections go to loopback.</summary>
    public static HttpClient Client(int port) => LoopbackClient.Create(Origin(port));
}
