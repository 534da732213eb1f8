using CoreFileProfiler.Silo.Hosting;
using CoreFileProfiler.Silo.Pages;

namespace CoreFileProfiler.Silo.Apis;

/// <summary>
/// The cluster page at <c>/</c>: nodes, live sessions and recent cores, kept fresh by its script
/// from <c>/api</c>. Behind the same rule as <c>/api</c>; with a token set, a browser signs in
/// once and the token rides in a strict same-site cookie.
/// </summary>
public static class ClusterPageApi
{
    public static IEndpointRouteBuilder MapClusterPage(this IEndpointRouteBuilder app)
    {
        app.MapGet("/", Page).WithSummary("The cluster page.").Produces(StatusCodes.Status200OK, contentType: "text/html").Produces(StatusCodes.Status401Unauthorized, contentType: "text/html");
        app.MapPost("/login", SignIn).ExcludeFromDescription();
        return app;
    }

    public static IResult Page(HttpContext context, AdminAccess access, IWebHostEnvironment environment)
    {
        context.Response.Headers.CacheControl = "no-store";
        return access.IsAllowed(context)
            ? TypedResults.PhysicalFile(Path.Join(environment.WebRootPath, "cluster.html"), "text/html; charset=utf-8")
            : TypedResults.Content(SignInPage.Render(access), "text/html; charset=utf-8", statusCode: StatusCodes.Status401Unauthorized);
    }

    public static async Task<IResult> SignIn(HttpContext context, AdminAccess access, AllowedOrigins origins)
    {
        var request = context.Request;
        if (!request.HasFormContentType) throw ProfilerException.Invalid("Sign in from the cluster page.");
        if (!origins.Allows(request)) throw ProfilerException.Forbidden(AllowedOrigins.Refusal(request, "Sign-ins"));
        var token = (await request.ReadFormAsync(context.RequestAborted))["token"].ToString();
        if (!access.HasToken || !access.IsToken(token))
        {
            return TypedResults.Content(SignInPage.Render(access, failed: true), "text/html; charset=utf-8", statusCode: StatusCodes.Status401Unauthorized);
        }

        context.Response.Cookies.Append(AdminAccess.CookieName, token, new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Secure = request.IsHttps,
            Path = "/",
        });
        return TypedResults.Redirect("/");
    }
}
