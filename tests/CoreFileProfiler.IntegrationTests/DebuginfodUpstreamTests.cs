using System.Net;
using System.Net.Http.Headers;
using CoreFileProfiler.IntegrationTests.Support;

namespace CoreFileProfiler.IntegrationTests;

/// <summary>
/// <c>Profiler:DebuginfodUpstream</c> (docs/architecture.md, Build-id store): a real Debian debuginfod server holds an
/// object no node keeps; a silo configured with it streams the object through, one without it answers 404.
/// </summary>
public sealed class DebuginfodUpstreamTests
{
    [Fact]
    public async Task An_object_only_the_upstream_has_is_served_through_the_silo_and_without_the_setting_it_is_404()
    {
        using var temp = new TempDirectory();
        var distribution = Path.Join(temp.Path, "distribution");
        var library = await KeptObjectFiles.BuildLibraryAsync(distribution, "distlib");
        await using var upstream = await DebuginfodServer.StartAsync(distribution, temp.Path, library.BuildId);
        // The first upstream knows nothing (refuses connections); the second has it.
        var silent = $"http://127.0.0.1:{FreePort.Next()}/";
        await using var configured = await SiloProcess.StartAsync(Path.Join(temp.Path, "with"), "upstream-node", "127.0.0.1",
            [$"--Profiler:DebuginfodUpstream:0={silent}", $"--Profiler:DebuginfodUpstream:1={upstream.Url}"]);
        await using var plain = await SiloProcess.StartAsync(Path.Join(temp.Path, "without"), "plain-node", "127.0.0.1", []);

        var through = await DebuginfodFind.FetchAsync($"http://127.0.0.1:{configured.Port}/", "executable", library.BuildId, Cache(temp));
        var withoutSetting = await DebuginfodFind.FetchAsync($"http://127.0.0.1:{plain.Port}/", "executable", library.BuildId, Cache(temp));
        var unknown = await DebuginfodFind.FetchAsync($"http://127.0.0.1:{configured.Port}/", "executable", "00112233445566778899aabbccddeeff00112233", Cache(temp));

        Assert.True(through.ExitCode == 0 && through.Bytes is not null, through.Output);
        Assert.Equal(library.Sha256, KeptObjectFiles.Sha256(through.Bytes));
        Assert.NotEqual(0, withoutSetting.ExitCode);
        Assert.NotEqual(0, unknown.ExitCode);

        // The upstream's answer is passed on as it is: Debian's debuginfod ignores Range, so the whole object, with its size.
        using var range = new HttpRequestMessage(HttpMethod.Get, $"/buildid/{library.BuildId}/executable") { Headers = { Range = new RangeHeaderValue(64, 127) } };
        using var whole = await configured.Http.SendAsync(range);
        Assert.Equal(HttpStatusCode.OK, whole.StatusCode);
        Assert.Equal(library.Bytes.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), Assert.Single(whole.Headers.GetValues("X-DEBUGINFOD-SIZE")));
        Assert.Equal(library.Sha256, KeptObjectFiles.Sha256(await whole.Content.ReadAsByteArrayAsync()));
    }

    [Fact]
    public async Task A_non_http_upstream_refuses_the_start_naming_the_setting()
    {
        var (code, output) = await SiloProcess.RunToRefusalAsync("--Profiler:DebuginfodUpstream:0=http://127.0.0.1:9/", "--Profiler:DebuginfodUpstream:1=file:///usr/lib/debug");

        Assert.NotEqual(0, code);
        Assert.Contains("refusing to start: Profiler:DebuginfodUpstream: 'file:///usr/lib/debug' is not an absolute http or https URL", output, StringComparison.Ordinal);
    }

    private static string Cache(TempDirectory temp) => Directory.CreateDirectory(Path.Join(temp.Path, "cache-" + Guid.NewGuid().ToString("N"))).FullName;
}
