using CoreFileProfiler.Silo.Hosting;

namespace CoreFileProfiler.Silo.Pages;

/// <summary>What the cluster page shows someone it does not let in yet.</summary>
internal static class SignInPage
{
    public static string Render(AdminAccess access, bool failed = false) => $"""
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Sign in · Core File Profiler</title>
        <link rel="stylesheet" href="/app.css">
        </head>
        <body>
        <header><h1>Core File Profiler</h1><p class="meta">The cluster view is for administrators.</p></header>
        <main>
        {(access.HasToken
            ? $"""
              <form method="post" action="/login" class="sign-in">
                <label>Admin token <input type="password" name="token" autocomplete="current-password" autofocus required></label>
                <button class="button" type="submit">sign in</button>
              </form>
              {(failed ? """<p class="error">That is not the admin token.</p>""" : "")}
              """
            : """<p class="empty">No admin token is configured, so only clients on this node may see the cluster. Set <code>Auth:AdminToken</code> to sign in from elsewhere.</p>""")}
        <p class="ago">Session links work without signing in: each one is its own key.</p>
        </main>
        </body>
        </html>
        """;
}
