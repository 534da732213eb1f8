using CoreFileProfiler.Silo.Pages;

namespace CoreFileProfiler.Tests.Pages;

public sealed class SessionPageTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    private static string Render(params SessionFile[] files) =>
        SessionPage.Render(new SessionView("node-a.x", "node-a", SessionType.Coredump, "default/web-1", Now, Now.AddHours(1), files, [], []), Now);

    [Fact]
    public void Each_core_shows_its_reports_summary_and_signature_encoded_before_gdb_is_opened()
    {
        var page = Render(
            new SessionFile("app/42_20261130-115900", 1 << 20, Now, "app", 11, "/app/server", Summary: "SIGSEGV in handle<img src=x onerror=alert(1)> (server.c:7)", Signature: "9c1e\"><script>"),
            new SessionFile("app/43_20261130-115901", 1 << 20, Now, "app", 11, "/app/server"));

        Assert.Contains("""<div class="summary">SIGSEGV in handle&lt;img src=x onerror=alert(1)&gt; (server.c:7)</div>""", page, StringComparison.Ordinal);
        Assert.Contains("9c1e&quot;&gt;&lt;script&gt;</div>", page, StringComparison.Ordinal);
        Assert.DoesNotContain("<img", page, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>", page, StringComparison.Ordinal);
        Assert.Single(page.Split("class=\"summary\"").Skip(1)); // a core without a report yet shows none
    }
}
