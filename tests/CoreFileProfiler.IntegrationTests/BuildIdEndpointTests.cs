using System.Net;
using System.Net.Http.Headers;
using CoreFileProfiler.IntegrationTests.Support;

namespace CoreFileProfiler.IntegrationTests;

/// <summary>
/// The build-id store over the debuginfod protocol (docs/architecture.md, Build-id store), fetched by Debian's real
/// debuginfod-find from a real silo whose store holds real gcc-built libraries.
/// </summary>
public sealed class BuildIdEndpointTests(BuildIdEndpointFixture fixture) : IClassFixture<BuildIdEndpointFixture>
{
    [Fact]
    public async Task Debuginfod_find_fetches_a_kept_library_and_its_debuginfo_byte_for_byte()
    {
        var executable = await FetchAsync("executable", fixture.Stripped.BuildId);
        var debugFile = await FetchAsync("debuginfo", fixture.Stripped.BuildId);
        var unstrippedAsDebuginfo = await FetchAsync("debuginfo", fixture.Unstripped.BuildId);

        Assert.Equal(fixture.Stripped.Sha256, KeptObjectFiles.Sha256(executable));
        Assert.Equal(fixture.StrippedDebug.Sha256, KeptObjectFiles.Sha256(debugFile));
        Assert.Equal(fixture.Unstripped.Sha256, KeptObjectFiles.Sha256(unstrippedAsDebuginfo));
    }

    [Fact]
    public async Task An_unknown_id_and_a_stripped_object_without_debug_file_are_not_found()
    {
        var unknown = await DebuginfodFind.FetchAsync(fixture.Url, "executable", "0123456789abcdef0123456789abcdef01234567", fixture.NewCache());
        var noDebuginfo = await DebuginfodFind.FetchAsync(fixture.Url, "debuginfo", fixture.StrippedAlone.BuildId, fixture.NewCache());
        using var unknownOverHttp = await fixture.Silo.Http.GetAsync("/buildid/0123456789abcdef0123456789abcdef01234567/debuginfo");

        Assert.NotEqual(0, unknown.ExitCode);
        Assert.Null(unknown.Bytes);
        Assert.NotEqual(0, noDebuginfo.ExitCode);
        Assert.Equal(HttpStatusCode.NotFound, unknownOverHttp.StatusCode);
        // Its executable is still there.
        Assert.Equal(fixture.StrippedAlone.Sha256, KeptObjectFiles.Sha256(await FetchAsync("executable", fixture.StrippedAlone.BuildId)));
    }

    [Theory]
    [InlineData("/buildid/../../etc/passwd")]
    [InlineData("/buildid/..%2F..%2Fetc/executable")]
    [InlineData("/buildid/%2e%2e/executable")]
    [InlineData("/buildid/UPPER/executable")]
    [InlineData("/buildid/ab/../../../etc/passwd")]
    [InlineData("/buildid/x/executable")]
    public async Task Malformed_ids_are_404(string target)
    {
        var (status, response) = await RawHttp.GetAsync(fixture.Silo.Port, target);

        Assert.True(status == 404, $"{target}: {response}");
        Assert.DoesNotContain("root:", response, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ids_in_upper_case_too_long_or_of_another_kind_are_404_even_when_the_object_is_kept()
    {
        var id = fixture.Stripped.BuildId;
        foreach (var path in new[] { $"/buildid/{id.ToUpperInvariant()}/executable", $"/buildid/{id}{new string('a', 129 - id.Length)}/executable", $"/buildid/{id}/source", $"/buildid/{id}/section" })
        {
            using var refused = await fixture.Silo.Http.GetAsync(path);
            Assert.True(refused.StatusCode == HttpStatusCode.NotFound, $"{path}: {(int)refused.StatusCode}");
        }

        using var honest = await fixture.Silo.Http.GetAsync($"/buildid/{id}/executable");
        Assert.Equal(HttpStatusCode.OK, honest.StatusCode);
    }

    [Fact]
    public async Task Answers_carry_the_size_and_ranges_answer_exact_bytes()
    {
        var bytes = fixture.Unstripped.Bytes;
        var path = $"/buildid/{fixture.Unstripped.BuildId}/executable";

        using var head = await fixture.Silo.Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, path));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(bytes.Length, head.Content.Headers.ContentLength);
        Assert.Equal(bytes.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), Assert.Single(head.Headers.GetValues("X-DEBUGINFOD-SIZE")));
        Assert.Equal("application/octet-stream", head.Content.Headers.ContentType?.MediaType);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());

        using var range = new HttpRequestMessage(HttpMethod.Get, path);
        range.Headers.Range = new RangeHeaderValue(100, 1099);
        using var partial = await fixture.Silo.Http.SendAsync(range);
        Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
        Assert.Equal(bytes[100..1100], await partial.Content.ReadAsByteArrayAsync());
        Assert.Equal($"bytes 100-1099/{bytes.Length}", partial.Content.Headers.ContentRange?.ToString());

        using var beyond = new HttpRequestMessage(HttpMethod.Get, path);
        beyond.Headers.Range = new RangeHeaderValue(bytes.Length + 10, null);
        using var unsatisfiable = await fixture.Silo.Http.SendAsync(beyond);
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, unsatisfiable.StatusCode);
    }

    [Fact]
    public async Task A_caller_not_on_this_machine_needs_the_admin_token()
    {
        var address = MachineAddress.NonLoopbackIPv4();
        using var remote = new HttpClient { BaseAddress = new Uri($"http://{address}:{fixture.Silo.Port}") };
        var path = $"/buildid/{fixture.Unstripped.BuildId}/executable";

        using var refused = await remote.GetAsync(path);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("Bearer", Assert.Single(refused.Headers.WwwAuthenticate).Scheme);
        using var wrong = new HttpRequestMessage(HttpMethod.Get, path) { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", "not-the-token") } };
        using var refusedWrong = await remote.SendAsync(wrong);
        Assert.Equal(HttpStatusCode.Unauthorized, refusedWrong.StatusCode);
        // A page that rebound its DNS name to 127.0.0.1 is not a client of this machine either.
        using var rebound = DnsRebinding.Client(fixture.Silo.Port);
        using var refusedRebound = await rebound.GetAsync(path);
        Assert.Equal(HttpStatusCode.Unauthorized, refusedRebound.StatusCode);

        using var admitted = new HttpRequestMessage(HttpMethod.Get, path) { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", BuildIdEndpointFixture.AdminToken) } };
        using var served = await remote.SendAsync(admitted);
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.Equal(fixture.Unstripped.Sha256, KeptObjectFiles.Sha256(await served.Content.ReadAsByteArrayAsync()));

        // debuginfod-find from that address: refused without the token, served with it in DEBUGINFOD_HEADERS_FILE.
        var remoteUrl = $"http://{address}:{fixture.Silo.Port}/";
        var headers = Path.Join(fixture.NewCache(), "headers");
        await File.WriteAllTextAsync(headers, $"Authorization: Bearer {BuildIdEndpointFixture.AdminToken}\n");
        var anonymous = await DebuginfodFind.FetchAsync(remoteUrl, "executable", fixture.Unstripped.BuildId, fixture.NewCache());
        var withToken = await DebuginfodFind.FetchAsync(remoteUrl, "executable", fixture.Unstripped.BuildId, fixture.NewCache(), headers);
        Assert.NotEqual(0, anonymous.ExitCode);
        Assert.True(withToken.ExitCode == 0 && withToken.Bytes is not null, withToken.Output);
        Assert.Equal(fixture.Unstripped.Sha256, KeptObjectFiles.Sha256(withToken.Bytes));
    }

    [Fact]
    public async Task A_planted_symlink_or_an_impostor_copy_is_never_served()
    {
        var built = Path.Join(fixture.WorkDirectory, "planted");
        var target = await KeptObjectFiles.BuildLibraryAsync(built, "symlinked");
        var impostor = await KeptObjectFiles.BuildLibraryAsync(built, "impostor");
        var claimed = await KeptObjectFiles.BuildLibraryAsync(built, "claimed");
        var executables = Path.Join(fixture.Silo.CoreRoot, KeptObjectFiles.Executables);
        // A symlink named as a copy, to a real object with that build-id.
        File.CreateSymbolicLink(Path.Join(executables, $"{target.BuildId}-{target.Sha256}"), target.Path);
        // A regular file named for one build-id that carries another.
        File.Copy(impostor.Path, Path.Join(executables, $"{claimed.BuildId}-{impostor.Sha256}"));

        using var symlinked = await fixture.Silo.Http.GetAsync($"/buildid/{target.BuildId}/executable");
        using var symlinkedDebuginfo = await fixture.Silo.Http.GetAsync($"/buildid/{target.BuildId}/debuginfo");
        using var claiming = await fixture.Silo.Http.GetAsync($"/buildid/{claimed.BuildId}/executable");
        var found = await DebuginfodFind.FetchAsync(fixture.Url, "executable", target.BuildId, fixture.NewCache());

        Assert.Equal(HttpStatusCode.NotFound, symlinked.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, symlinkedDebuginfo.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, claiming.StatusCode);
        Assert.NotEqual(0, found.ExitCode);
    }

    [Fact]
    public async Task A_forgery_claiming_a_kept_build_id_makes_it_ambiguous_and_nothing_is_served()
    {
        // Any program can link with any build-id: a hostile container's library claims an honest one's.
        var built = Path.Join(fixture.WorkDirectory, "forged");
        var honest = await KeptObjectFiles.BuildLibraryAsync(built, "honest");
        KeptObjectFiles.Plant(fixture.Silo.CoreRoot, KeptObjectFiles.Executables, honest);
        Assert.Equal(honest.Sha256, KeptObjectFiles.Sha256(await FetchAsync("executable", honest.BuildId)));

        var forged = await KeptObjectFiles.BuildLibraryAsync(built, "forged", claimedBuildId: honest.BuildId);
        Assert.Equal(honest.BuildId, forged.BuildId);
        KeptObjectFiles.Plant(fixture.Silo.CoreRoot, KeptObjectFiles.Executables, forged);

        using var executable = await fixture.Silo.Http.GetAsync($"/buildid/{honest.BuildId}/executable");
        using var debuginfo = await fixture.Silo.Http.GetAsync($"/buildid/{honest.BuildId}/debuginfo");
        Assert.Equal(HttpStatusCode.NotFound, executable.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, debuginfo.StatusCode);
        Assert.Contains(fixture.Silo.Log().Split('\n'), line => line.Contains(honest.BuildId, StringComparison.Ordinal) && line.Contains("is claimed by copies of different content", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_session_on_the_whole_store_serves_nothing_beneath_a_dot_directory()
    {
        var body = SiloFixture.CoredumpRequest(pod: null);
        body[SiloFixture.Parameter + "filepath"] = fixture.Silo.CoreRoot;
        using var admin = new HttpClient { BaseAddress = fixture.Silo.Http.BaseAddress };
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", BuildIdEndpointFixture.AdminToken);
        var session = await SiloFixture.OpenSessionAsync(admin, body);

        // The build-id store is not the session's: not by its name, not by an encoded one.
        foreach (var path in new[] { $".executables/{fixture.Unstripped.BuildId}-{fixture.Unstripped.Sha256}", $"%2Eexecutables/{fixture.Unstripped.BuildId}-{fixture.Unstripped.Sha256}" })
        {
            using var refused = await fixture.Silo.Http.GetAsync(session + "files/" + path);
            Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
        }

        using var listed = await fixture.Silo.Http.GetAsync(session + "api");
        Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
        Assert.DoesNotContain(".executables", await listed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private async Task<byte[]> FetchAsync(string kind, string buildId)
    {
        var (code, bytes, output) = await DebuginfodFind.FetchAsync(fixture.Url, kind, buildId, fixture.NewCache());
        Assert.True(code == 0 && bytes is not null, $"debuginfod-find {kind} {buildId}: exit {code}\n{output}");
        return bytes;
    }
}
