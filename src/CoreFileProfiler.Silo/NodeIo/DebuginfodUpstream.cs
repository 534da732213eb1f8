using CoreFileProfiler.Node;
using Microsoft.Net.Http.Headers;

namespace CoreFileProfiler.Silo.NodeIo;

/// <summary>
/// <c>Profiler:DebuginfodUpstream</c>: debuginfod servers asked, in order, for objects no node keeps
/// (distribution libraries; docs/architecture.md, Build-id store). Off when empty. The first that has the object
/// answers the client: its status (200, 206, 416), length and range are passed on and its body streamed
/// through, never held.
/// </summary>
internal sealed class DebuginfodUpstream(IReadOnlyList<Uri> urls, ILogger<DebuginfodUpstream> logger) : IDisposable
{
    public const string Setting = ProfilerOptions.Section + ":DebuginfodUpstream";

    /// <summary>Until the answer's headers; the body then takes as long as the client does.</summary>
    private static readonly TimeSpan HeadersTimeout = TimeSpan.FromSeconds(10);

    private static readonly string[] PassedOn = [HeaderNames.ContentRange, HeaderNames.AcceptRanges, HeaderNames.LastModified, BuildIdHeaders.Size];

    private readonly HttpClient _http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), AllowAutoRedirect = false }) { Timeout = HeadersTimeout };

    /// <summary>Whether an upstream had the object and answered the client with it.</summary>
    public async Task<bool> TryServeAsync(HttpContext context, string buildId, BuildIdKind kind)
    {
        var aborted = context.RequestAborted;
        foreach (var upstream in urls)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"{upstream.AbsoluteUri.TrimEnd('/')}/buildid/{buildId}/{BuildIdHeaders.KindName(kind)}"));
            if (context.Request.Headers.Range is { Count: > 0 } range) request.Headers.TryAddWithoutValidation(HeaderNames.Range, (IEnumerable<string?>)range);
            HttpResponseMessage response;
            try
            {
                response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, aborted);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !aborted.IsCancellationRequested)
            {
                // Named by scheme, host and port: a path may carry credentials.
                logger.LogWarning(e, "Debuginfod upstream {Upstream} did not answer", upstream.GetLeftPart(UriPartial.Authority));
                continue;
            }

            using (response)
            {
                var status = (int)response.StatusCode;
                if (status is not (StatusCodes.Status200OK or StatusCodes.Status206PartialContent or StatusCodes.Status416RangeNotSatisfiable)) continue;
                context.Response.StatusCode = status;
                context.Response.ContentType = BuildIdHeaders.ContentType;
                context.Response.ContentLength = response.Content.Headers.ContentLength;
                foreach (var name in PassedOn)
                {
                    if (response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values))
                    {
                        context.Response.Headers[name] = values.ToArray();
                    }
                }

                if (HttpMethods.IsHead(context.Request.Method)) return true;
                try
                {
                    await using var body = await response.Content.ReadAsStreamAsync(aborted);
                    await body.CopyToAsync(context.Response.Body, aborted);
                }
                catch (Exception e) when (!aborted.IsCancellationRequested)
                {
                    // The headers are out: a cut body must not look whole to the client.
                    logger.LogWarning(e, "Debuginfod upstream {Upstream} broke off", upstream.GetLeftPart(UriPartial.Authority));
                    context.Abort();
                }

                return true;
            }
        }

        return false;
    }

    public void Dispose() => _http.Dispose();
}
