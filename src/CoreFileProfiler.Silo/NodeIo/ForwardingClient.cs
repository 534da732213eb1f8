using System.Net;
using System.Net.Security;

namespace CoreFileProfiler.Silo.NodeIo;

/// <summary>
/// The connections a gateway forwards over: no proxy, no redirects, no cookies or decompression of its
/// own (the user's headers pass as they are), a short connect timeout (an unreachable node falls back
/// quickly), and with cluster TLS the silo certificate, accepting only a peer of the cluster's authority.
/// </summary>
public sealed class ForwardingClient : IDisposable
{
    internal static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(3);

    public ForwardingClient(SslClientAuthenticationOptions? tls) =>
        Invoker = new HttpMessageInvoker(new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            ConnectTimeout = ConnectTimeout,
            ActivityHeadersPropagator = null,
            SslOptions = tls ?? new SslClientAuthenticationOptions(),
        });

    public HttpMessageInvoker Invoker { get; }

    public void Dispose() => Invoker.Dispose();
}
