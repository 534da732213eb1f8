using CoreFileProfiler.IntegrationTests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace CoreFileProfiler.IntegrationTests;

/// <summary>The cluster page's crash table and the session page's summaries, in headless Chromium, for crashes the real collector filed.</summary>
[Collection(CrashNotificationsTests.Name)]
public sealed class CrashPageBrowserTests(CrashNotificationsFixture fixture)
{
    private const string Hostile = "<img src=x onerror=document.body.dataset.pwned=1>";

    // A tenant names its source file as it likes (#line), and the name reaches the report's summary.
    private static readonly string HostileSource = $$"""
        #line 1 "{{Hostile}}.c"
        __attribute__((noinline)) void crash_in_tenant_code(int *where) { *where = 1; }
        int main(void) { crash_in_tenant_code((int *)0); return 0; }
        """;

    [Fact]
    public async Task The_cluster_page_shows_each_crash_group_with_its_hourly_chart_and_a_debug_button_and_tenant_text_as_text()
    {
        const string Pod = "page-crash-5f6d", Container = "tenant";
        var crasher = await BuildHostileCrasherAsync();
        for (var i = 0; i < 3; i++) await fixture.CollectCrashAsync(crasher, Pod, Container);
        var group = await fixture.CrashGroupAsync(Container, 3, TimeSpan.FromSeconds(30));
        Assert.Contains(Hostile, group.GetProperty("summary").GetString(), StringComparison.Ordinal);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await BrowserTests.LaunchAsync(playwright);
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1400, Height = 900 } });
        var dialogs = new List<string>();
        page.Dialog += async (_, dialog) => { dialogs.Add(dialog.Message); await dialog.DismissAsync(); };
        await page.GotoAsync(fixture.Silo.Http.BaseAddress!.ToString());

        var row = page.Locator("#crashes tbody tr", new() { HasText = $"{SiloFixture.Namespace}/{Container}" });
        await Expect(row).ToHaveCountAsync(1, new() { Timeout = 15_000 });
        await Expect(row.Locator("td.summary")).ToContainTextAsync(Hostile); // shown as text ...
        Assert.Equal(0, await page.Locator("#crashes img").CountAsync()); // ... never made an element
        Assert.Null(await page.EvaluateAsync<string?>("document.body.dataset.pwned ?? null"));
        await Expect(row.Locator("td.num")).ToHaveTextAsync("3");
        var bars = row.Locator("svg.per-hour rect");
        await Expect(bars).ToHaveCountAsync(24);
        Assert.Equal("3", await bars.Last.GetAttributeAsync("data-count")); // the current hour
        Assert.Contains("3 crashes in the last 24 hours", await row.Locator("svg.per-hour").GetAttributeAsync("aria-label"), StringComparison.Ordinal);
        await Expect(row.Locator("button.debug-newest")).ToBeEnabledAsync();
        await page.ScreenshotAsync(new() { Path = BrowserTests.Artifact("cluster-crashes.png"), FullPage = true });

        // The button opens a session on the newest kept core, whose page shows the summary before gdb runs.
        await row.Locator("button.debug-newest").ClickAsync();
        await page.WaitForURLAsync(new System.Text.RegularExpressions.Regex("/sessions/[^/]+/$"));
        var newest = group.GetProperty("cores").EnumerateArray().Last().GetProperty("path").GetString()!;
        await Expect(page.Locator("td.path").First).ToContainTextAsync(Path.GetFileName(newest));
        await Expect(page.Locator("td.path .summary").First).ToContainTextAsync(Hostile);
        Assert.Equal(0, await page.Locator("main img").CountAsync());
        await Expect(page.Locator("td.path .signature").First).ToHaveTextAsync(group.GetProperty("signature").GetString()!);
        await page.ScreenshotAsync(new() { Path = BrowserTests.Artifact("session-summary.png") });
        Assert.Empty(dialogs);
    }

    private async Task<string> BuildHostileCrasherAsync()
    {
        var directory = Path.GetDirectoryName(fixture.Crasher)!; // where the sandboxed gdb may read sources
        var source = Path.Join(directory, "tenant.c");
        var executable = Path.Join(directory, "tenant-crasher");
        await File.WriteAllTextAsync(source, HostileSource);
        var (code, output) = await Command.RunAsync("gcc", ["-g", "-O0", "-o", executable, source], directory);
        return code == 0 ? executable : throw new InvalidOperationException($"gcc failed: {output}");
    }
}
