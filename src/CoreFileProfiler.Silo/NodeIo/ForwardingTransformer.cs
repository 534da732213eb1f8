using Yarp.ReverseProxy.Forwarder;

namespace CoreFileProfiler.Silo.NodeIo;

/// <summary>
/// The request goes on as the user sent it (path, Range, If-Range, credentials, Origin), addressed to
/// the owning gateway; nothing is added that it could take for the user's word. The owning gateway's
/// response headers replace the ones this gateway set before forwarding (no-store, Referrer-Policy),
/// rather than doubling them.
/// </summary>
internal sealed class ForwardingTransformer : HttpTransformer
{
    public static ForwardingTransformer Instance { get; } = new();

    private ForwardingTransformer()
    {
    }

    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
        proxyRequest.Headers.Host = null;
        foreach (var header in new[] { "Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto", "X-Real-IP" })
        {
            proxyRequest.Headers.Remove(header);
        }
    }

    public override ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        if (proxyResponse is not null)
        {
            foreach (var header in proxyResponse.Headers) httpContext.Response.Headers.Remove(header.Key);
        }

        return base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);
    }
}
