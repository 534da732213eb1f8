using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace CoreFileProfiler.Silo.Hosting;

/// <summary>
/// Who may see and end every session of the cluster (docs/architecture.md, HTTP contract): with <c>Auth:AdminToken</c>
/// set, a request bearing it (or the cluster page's cookie holding it); without one, loopback
/// clients that address us by a loopback name or an allowed origin (not a DNS-rebinding page),
/// so a fresh install is never open to the network.
/// </summary>
public sealed class AdminAccess(IOptions<AdminOptions> options, AllowedOrigins origins)
{
    public const string CookieName = "cfp-admin";

    public bool HasToken => !string.IsNullOrEmpty(options.Value.AdminToken);

    public bool IsAllowed(HttpContext context)
    {
        if (!HasToken) return IsLoopback(context.Connection.RemoteIpAddress) && origins.IsAddressedToUs(context.Request);
        var request = context.Request;
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && IsToken(authorization["Bearer ".Length..].Trim()))
        {
            return true;
        }

        // A browser sends the cookie with any request to us, so a change must also come from an allowed origin's page.
        return IsSignedIn(request) && (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || origins.Allows(request));
    }

    /// <summary>
    /// A client on this machine that addresses us by a loopback name or an allowed origin (not a DNS-rebinding
    /// page), whether or not a token is set, or an admin: who may read the build-id store (docs/architecture.md,
    /// Build-id store), as a debugger on the node or a developer with the token does.
    /// </summary>
    public bool IsLocalOrAllowed(HttpContext context) =>
        (IsLoopback(context.Connection.RemoteIpAddress) && origins.IsAddressedToUs(context.Request)) || IsAllowed(context);

    /// <summary>The request carries the cluster page's cookie with the right token.</summary>
    public bool IsSignedIn(HttpRequest request) => request.Cookies.TryGetValue(CookieName, out var cookie) && IsToken(cookie);

    /// <summary>Never true without a configured token: no cookie or header matches an unset (or empty) one.</summary>
    public bool IsToken(string? candidate) =>
        HasToken && candidate is not null && CryptographicOperations.FixedTimeEquals(
            SHA256.HashData(Encoding.UTF8.GetBytes(candidate)), SHA256.HashData(Encoding.UTF8.GetBytes(options.Value.AdminToken!)));

    public string RefusalDetail => HasToken
        ? "This needs the admin token: send 'Authorization: Bearer <Auth:AdminToken>'."
        : "Without Auth:AdminToken only clients on this machine may use this; set a token to allow others.";

    private static bool IsLoopback(IPAddress? address) =>
        address is not null && IPAddress.IsLoopback(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);
}
