using CoreFileProfiler.Node;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace CoreFileProfiler.Silo.Hosting;

/// <summary>Builds the URLs handed to users: <c>Profiler:PublicBaseUrl</c>, else <c>http://&lt;NodeName&gt;:&lt;port&gt;</c>.</summary>
public sealed class PublicUrls(IOptions<ProfilerOptions> options, IServer server)
{
    private string? _base;

    public string Session(string sessionId) => $"{Base}/sessions/{sessionId}/";

    /// <summary>Where users reach this node, without a trailing slash.</summary>
    public string Base => _base ??= options.Value.PublicBaseUrl?.TrimEnd('/') ?? $"http://{options.Value.NodeName}:{ListeningPort()}";

    /// <summary>The port actually bound, which differs from the configured one when that was 0.</summary>
    private int ListeningPort()
    {
        var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("The gateway is not listening yet.");
        return BindingAddress.Parse(address).Port;
    }
}
