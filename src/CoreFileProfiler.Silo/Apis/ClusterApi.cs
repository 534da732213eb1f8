using CoreFileProfiler.Grains.Cluster;
using CoreFileProfiler.Silo.Hosting;
using CoreFileProfiler.Store.Containers;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CoreFileProfiler.Silo.Apis;

/// <summary>
/// Everything in the cluster from any gateway (docs/architecture.md, HTTP contract), for admins only. Lists hold what
/// the reachable nodes said; nodes that could not answer are named in <see cref="UnavailableHeader"/>
/// and shown <c>down</c> by <c>/api/nodes</c>.
/// </summary>
public static class ClusterApi
{
    public const string UnavailableHeader = "X-Unavailable-Nodes";

    public sealed record ClusterSession(
        string Id, string Node, SessionType Type, string Target, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, string Url, IReadOnlyList<TerminalInfo> Terminals);

    public sealed record ClusterNodeStatus(string Node, string Status, int? Containers, int? Cores, long? CoreBytes, int? LiveSessions, int? MaxSessions);

    public static IEndpointRouteBuilder MapClusterApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").AddEndpointFilter(RequireAdmin).ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden);
        api.MapGet("/sessions", Sessions).WithSummary("Every live session in the cluster.");
        api.MapGet("/nodes", Nodes).WithSummary("Every node, up or down.");
        api.MapGet("/cores", Cores).WithSummary("Every core in the cluster, newest first.").ProducesProblem(StatusCodes.Status400BadRequest);
        api.MapGet("/crashes", Crashes).WithSummary("Every crash group in the cluster, by namespace, container and signature, most recent crash first.");
        api.MapDelete("/sessions/{id}", SessionsApi.Close).WithSummary("Ends any session.")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status410Gone).ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    public static async Task<Ok<List<ClusterSession>>> Sessions(ClusterOverview cluster, PublicUrls urls, HttpResponse response, CancellationToken cancellationToken)
    {
        var answer = await cluster.SessionsAsync(cancellationToken);
        MarkUnavailable(response, answer.UnavailableNodes);
        return TypedResults.Ok(answer.Items
            .Select(s => new ClusterSession(s.Id, s.Node, s.Type, s.Target, s.CreatedAt, s.ExpiresAt, urls.Session(s.Id), s.Terminals))
            .ToList());
    }

    public static async Task<Ok<List<ClusterNodeStatus>>> Nodes(ClusterOverview cluster, CancellationToken cancellationToken)
    {
        var nodes = await cluster.NodesAsync(cancellationToken);
        return TypedResults.Ok(nodes
            .Select(n => new ClusterNodeStatus(
                n.Node, n.IsUp ? "up" : "down", n.Status?.Containers, n.Status?.Cores, n.Status?.CoreBytes, n.Status?.LiveSessions, n.Status?.MaxSessions))
            .ToList());
    }

    /// <summary>Newest first; <c>namespace</c>, <c>pod</c> and <c>container</c> narrow it down.</summary>
    public static async Task<Ok<List<CoreSummary>>> Cores(
        ClusterOverview cluster, HttpResponse response, CancellationToken cancellationToken, string? @namespace = null, string? pod = null, string? container = null)
    {
        var filter = new CoreFilter(
            Checked(@namespace, KubernetesNames.IsLabel, "namespace"),
            Checked(pod, KubernetesNames.IsSubdomain, "pod"),
            Checked(container, KubernetesNames.IsLabel, "container"));
        var answer = await cluster.CoresAsync(filter, cancellationToken);
        MarkUnavailable(response, answer.UnavailableNodes);
        return TypedResults.Ok(answer.Items.OrderByDescending(c => c.Time).ToList());
    }

    /// <summary>Each node's groups merged across the cluster (docs/architecture.md, Crash reports).</summary>
    public static async Task<Ok<IReadOnlyList<CrashGroup>>> Crashes(ClusterOverview cluster, HttpResponse response, CancellationToken cancellationToken)
    {
        var answer = await cluster.CrashesAsync(cancellationToken);
        MarkUnavailable(response, answer.UnavailableNodes);
        return TypedResults.Ok(answer.Items);
    }

    /// <summary>401 unless <see cref="AdminAccess"/> allows the caller; 403 for a signed-in change from another origin's page.</summary>
    public static async ValueTask<object?> RequireAdmin(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var access = context.HttpContext.RequestServices.GetRequiredService<AdminAccess>();
        if (access.IsAllowed(context.HttpContext)) return await next(context);
        var request = context.HttpContext.Request;
        if (access.IsSignedIn(request))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, detail: AllowedOrigins.Refusal(request, "Changes signed in with the cluster page's cookie"));
        }

        context.HttpContext.Response.Headers.WWWAuthenticate = "Bearer";
        return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, detail: access.RefusalDetail);
    }

    private static string? Checked(string? value, Func<string, bool> isValid, string name) =>
        string.IsNullOrEmpty(value) ? null
        : isValid(value) ? value
        : throw ProfilerException.Invalid($"'{name}' must be a Kubernetes name, not '{value}'.");

    private static void MarkUnavailable(HttpResponse response, IReadOnlyList<string> nodes)
    {
        if (nodes.Count > 0) response.Headers[UnavailableHeader] = string.Join(", ", nodes);
    }
}
