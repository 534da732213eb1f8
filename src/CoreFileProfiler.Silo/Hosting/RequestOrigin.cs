namespace CoreFileProfiler.Silo.Hosting;

public static class RequestOrigin
{
    /// <summary>
    /// No <c>Origin</c> (not a browser's cross-site request) or one naming this host: what a
    /// WebSocket or a cookie-authenticated change must come with, so another site's page cannot
    /// drive them with the user's browser.
    /// </summary>
    public static bool IsSameOrigin(HttpRequest request)
    {
        var origin = request.Headers.Origin.ToString();
        return origin.Length == 0
            || (Uri.TryCreate(origin, UriKind.Absolute, out var uri) && string.Equals(uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase));
    }
}
