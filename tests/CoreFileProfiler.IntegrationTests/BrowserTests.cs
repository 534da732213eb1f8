using CoreFileProfiler.IntegrationTests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace CoreFileProfiler.IntegrationTests;

/// <summary>The pages as a person uses them, in Debian's headless Chromium.</summary>
[Collection(SiloTests.Name)]
public sealed class BrowserTests(SiloFixture fixture)
{
    private const string Chromium = "/usr/bin/chromium";

    /// <summary>Debian's Chromium, headless, with nothing reaching for the network.</summary>
    public static async Task<IBrowser> LaunchAsync(IPlaywright playwright)
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: ./test.sh installs it (apt-get install chromium).");
        return await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }

    [Fact]
    public async Task Clicking_debug_opens_a_terminal_where_bt_shows_the_crashing_function()
    {
        var (session, file) = await fixture.CrashAndOpenAsync("browser-pod");
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchAsync(playwright);
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1280, Height = 800 } });
        var seen = new List<string>(); // what the page said, for a failure message
        Observe(page, seen);
        try
        {
            await DebugInTheBrowserAsync(page, session, file);
        }
        catch (Exception e) when (e is PlaywrightException or TimeoutException)
        {
            throw new InvalidOperationException($"{e.Message}\nThe page saw:\n{string.Join('\n', seen)}\nThe silo logged:\n{fixture.Silo.LogTail()}", e);
        }
    }

    private async Task DebugInTheBrowserAsync(IPage page, string session, string file)
    {

        await page.GotoAsync($"{fixture.Silo.Http.BaseAddress}{session.TrimStart('/')}");
        await Expect(page.Locator("td.path").First).ToContainTextAsync(file);
        await Expect(page.Locator("#time-left")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^4m \\d+s$"));
        await page.ClickAsync($"button.debug[data-file='{file}']");
        var screen = page.Locator(".xterm-rows"); // on the terminal page the click leads to
        await Expect(screen).ToContainTextAsync("(gdb)", new() { Timeout = 20_000 });
        Assert.Matches("/sessions/[^/]+/terminals/[^/]+/$", page.Url);
        await Expect(page.Locator("#status")).ToHaveTextAsync("connected");

        await page.Locator(".xterm").ClickAsync();
        await page.Keyboard.TypeAsync("bt");
        await page.Keyboard.PressAsync("Enter");

        await Expect(screen).ToContainTextAsync(CrashingProgram.CrashingFunction, new() { Timeout = 20_000 });
        await Expect(screen).ToContainTextAsync("handle_request");
        await Expect(page.Locator("#target")).ToContainTextAsync(file);
        await Expect(page.Locator("#time-left")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^4m \\d+s$"));
        await page.ScreenshotAsync(new() { Path = Artifact("terminal-bt.png") });
    }

    [Fact]
    public async Task Copy_watch_link_gives_a_read_only_view_of_the_same_gdb()
    {
        var (session, file) = await fixture.CrashAndOpenAsync("browser-watch-pod");
        var terminal = await SiloFixture.OpenTerminalBodyAsync(fixture.Silo.Http, session, file);
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchAsync(playwright);
        await using var context = await browser.NewContextAsync(new()
        {
            ViewportSize = new() { Width = 1280, Height = 800 },
            Permissions = ["clipboard-read", "clipboard-write"],
        });
        var writer = await context.NewPageAsync();
        var watcher = await context.NewPageAsync();
        var seen = new List<string>();
        Observe(writer, seen);
        Observe(watcher, seen);
        try
        {
            await WatchInTheBrowserAsync(writer, watcher, terminal, file);
        }
        catch (Exception e) when (e is PlaywrightException or TimeoutException)
        {
            throw new InvalidOperationException($"{e.Message}\nThe pages saw:\n{string.Join('\n', seen)}\nThe silo logged:\n{fixture.Silo.LogTail()}", e);
        }
    }

    private static async Task WatchInTheBrowserAsync(IPage writer, IPage watcher, System.Text.Json.JsonElement terminal, string file)
    {
        await writer.GotoAsync(terminal.GetProperty("url").GetString()!);
        var writerScreen = writer.Locator(".xterm-rows");
        await Expect(writerScreen).ToContainTextAsync("(gdb)", new() { Timeout = 20_000 });
        await Expect(writer.Locator("#recording")).ToBeVisibleAsync();
        await writer.ClickAsync("#copy-watch");
        await Expect(writer.Locator("#copy-watch")).ToHaveTextAsync("watch link copied");
        var copied = await writer.EvaluateAsync<string>("navigator.clipboard.readText()");
        Assert.Equal(terminal.GetProperty("watch").GetString(), copied);

        await watcher.GotoAsync(copied);
        var watcherScreen = watcher.Locator(".xterm-rows");
        await Expect(watcherScreen).ToContainTextAsync("(gdb)", new() { Timeout = 20_000 });
        await Expect(watcher.Locator("#read-only")).ToBeVisibleAsync();
        await Expect(watcher.Locator("#back")).ToBeHiddenAsync();
        await Expect(watcher.Locator("#copy-watch")).ToBeHiddenAsync();
        await Expect(watcher.Locator("#target")).ToContainTextAsync(file);
        await Expect(watcher.Locator("#time-left")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^4m \\d+s$"));

        await watcher.Locator(".xterm").ClickAsync();
        await watcher.Keyboard.TypeAsync("print 6*7");
        await watcher.Keyboard.PressAsync("Enter");
        await Task.Delay(1000); // time for it to have reached gdb, had it been sent
        await writer.Locator(".xterm").ClickAsync();
        await writer.Keyboard.TypeAsync("print 7*8");
        await writer.Keyboard.PressAsync("Enter");

        // The writer's is gdb's first value: the watcher's typing never reached it.
        await Expect(watcherScreen).ToContainTextAsync("$1 = 56", new() { Timeout = 20_000 });
        await Expect(writerScreen).ToContainTextAsync("$1 = 56");
        Assert.DoesNotContain("= 42", await watcherScreen.TextContentAsync(), StringComparison.Ordinal);
        await watcher.ScreenshotAsync(new() { Path = Artifact("terminal-watch.png") });
    }

    /// <summary>Collects what a page logs, alerts and fetches, for a failure message.</summary>
    private static void Observe(IPage page, List<string> seen)
    {
        page.Console += (_, message) => seen.Add($"console {message.Type}: {message.Text}");
        page.Dialog += async (_, dialog) => { seen.Add($"dialog: {dialog.Message}"); await dialog.DismissAsync(); };
        page.Response += (_, response) => seen.Add($"{response.Status} {response.Request.Method} {response.Url}");
    }

    /// <summary>Where a test keeps what a person would want to look at afterwards.</summary>
    public static string Artifact(string name)
    {
        var directory = Environment.GetEnvironmentVariable("TEST_ARTIFACTS") ?? Path.Join(AppContext.BaseDirectory, "artifacts");
        Directory.CreateDirectory(directory);
        return Path.Join(directory, name);
    }
}
