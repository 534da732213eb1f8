using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using CoreFileProfiler.Grains.Crashes;

namespace CoreFileProfiler.Silo.Pages;

/// <summary>
/// The session page, rendered on the server so it works without script and shows the files in
/// the first response; a few lines of script only count the time down.
/// </summary>
internal static class SessionPage
{
    public static string Render(SessionView view, DateTimeOffset now)
    {
        var html = HtmlEncoder.Default;
        var page = new StringBuilder(4096);
        page.Append(CultureInfo.InvariantCulture, $"""
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="referrer" content="no-referrer">
            <title>{html.Encode(view.Target)} · Core File Profiler</title>
            <link rel="stylesheet" href="/app.css">
            </head>
            <body>
            <header>
              <h1>{html.Encode(view.Target)}</h1>
              <p class="meta">
                <span>{(view.Type == SessionType.Coredump ? "core dumps" : "live processes")} on node <b>{html.Encode(view.Node)}</b></span>
                <span>time left <b id="time-left" data-expires="{view.ExpiresAt.ToUnixTimeMilliseconds()}">{Duration(view.ExpiresAt - now)}</b></span>
                <a href="api">JSON</a>
              </p>
            </header>
            <main>
            """);

        if (view.Type == SessionType.Gcore)
        {
            AppendProcesses(page, view, html);
        }
        else if (view.Files.Count == 0)
        {
            page.Append("""<p class="empty">No cores here yet. New cores appear when you <a href="">reload</a>.</p>""");
        }
        else
        {
            page.Append("""
                <table>
                <thead><tr><th>file</th><th>container</th><th class="num">size</th><th>time (UTC)</th><th></th></tr></thead>
                <tbody>
                """);
            foreach (var file in view.Files)
            {
                var href = "files/" + string.Join('/', file.Path.Split('/').Select(Uri.EscapeDataString));
                page.Append(CultureInfo.InvariantCulture, $"""
                    <tr>
                      <td class="path"><a href="{html.Encode(href)}" download>{html.Encode(file.Path)}</a>{Crash(file, html)}</td>
                      <td>{html.Encode(file.Container ?? "—")}</td>
                      <td class="num" title="{file.Size:N0} bytes">{ByteSize.Format(file.Size)}</td>
                      <td><time datetime="{file.Modified:O}">{file.Modified:yyyy-MM-dd HH:mm:ss}</time> <span class="ago">{Duration(now - file.Modified)} ago</span></td>
                      <td class="actions"><button class="button debug" data-file="{html.Encode(file.Path)}">debug</button> <a class="button" href="{html.Encode(href)}" download>download</a></td>
                    </tr>
                    """);
            }

            page.Append("</tbody></table>");
        }

        if (view.Terminals.Count > 0)
        {
            page.Append("""<h2>gdb terminals</h2><table><thead><tr><th>target</th><th>gdb pid</th><th class="num">viewers</th><th>state</th></tr></thead><tbody>""");
            foreach (var terminal in view.Terminals)
            {
                page.Append(CultureInfo.InvariantCulture, $"""
                    <tr>
                      <td class="path"><a href="terminals/{html.Encode(terminal.Id)}/">{html.Encode(terminal.Target)}</a></td>
                      <td>{(terminal.Pid > 0 ? terminal.Pid.ToString(CultureInfo.InvariantCulture) : "—")}</td>
                      <td class="num">{terminal.Viewers}</td>
                      <td>{html.Encode(terminal.EndReason ?? "running")}</td>
                    </tr>
                    """);
            }

            page.Append("</tbody></table>");
        }

        page.Append("""
            </main>
            <footer id="ended" hidden>This session has ended; its links no longer work.</footer>
            <script src="/countdown.js"></script>
            <script src="/session.js"></script>
            </body>
            </html>
            """);
        return page.ToString();
    }

    private static void AppendProcesses(StringBuilder page, SessionView view, HtmlEncoder html)
    {
        if (view.Processes.Count == 0)
        {
            page.Append("""<p class="empty">None of this session's processes is running now.</p>""");
            return;
        }

        page.Append("""
            <table>
            <thead><tr><th class="num">pid</th><th class="num">ppid</th><th>user</th><th>state</th><th>command</th><th>container</th><th></th></tr></thead>
            <tbody>
            """);
        foreach (var process in view.Processes)
        {
            page.Append(CultureInfo.InvariantCulture, $"""
                <tr>
                  <td class="num">{process.Pid}</td>
                  <td class="num">{process.Ppid}</td>
                  <td>{html.Encode(process.User)}</td>
                  <td>{html.Encode(process.State)}</td>
                  <td class="path">{html.Encode(process.Command)}</td>
                  <td>{html.Encode(process.Container ?? "—")}</td>
                  <td class="actions"><button class="button attach" data-pid="{process.Pid}">attach gdb</button> <button class="button snapshot" data-pid="{process.Pid}">snapshot</button></td>
                </tr>
                """);
        }

        page.Append("""</tbody></table><p id="snapshot-result" class="empty" hidden></p>""");
    }

    /// <summary>
    /// The crash report's summary and signature, so a person sees what crashed before opening gdb (both are
    /// the tenant's text: function and file names), then what the collector knew: "SIGSEGV · /usr/bin/app · truncated".
    /// </summary>
    private static string Crash(SessionFile file, HtmlEncoder html)
    {
        var report = file.Summary is { } summary ? $"""<div class="summary">{html.Encode(summary)}</div>""" : "";
        if (file.Signature is { } signature) report += $"""<div class="ago signature" title="crash signature">{html.Encode(signature)}</div>""";
        string?[] facts = [file.Signal is { } signal ? SignalNames.Of(signal) ?? $"signal {signal}" : null, file.Exe, file.Truncated ? "truncated" : null];
        var known = facts.OfType<string>().ToList();
        return report + (known.Count == 0 ? "" : $"""<div class="ago">{string.Join(" · ", known.Select(html.Encode))}</div>""");
    }

    /// <summary>"3h 12m", "4m 5s", "12s", "2d 3h".</summary>
    public static string Duration(TimeSpan span)
    {
        if (span < TimeSpan.Zero) span = TimeSpan.Zero;
        return span.TotalDays >= 1 ? $"{(int)span.TotalDays}d {span.Hours}h"
            : span.TotalHours >= 1 ? $"{(int)span.TotalHours}h {span.Minutes}m"
            : span.TotalMinutes >= 1 ? $"{span.Minutes}m {span.Seconds}s"
            : $"{span.Seconds}s";
    }
}
