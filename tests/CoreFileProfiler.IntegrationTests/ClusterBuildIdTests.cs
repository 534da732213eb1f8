using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using CoreFileProfiler.IntegrationTests.Support;

namespace CoreFileProfiler.IntegrationTests;

/// <summary>Any gateway answers for any node's build-id store (docs/architecture.md, Build-id store), in the three-silo cluster.</summary>
[Collection(ClusterTests.Name)]
public sealed class ClusterBuildIdTests(ClusterFixture cluster)
{
    [Fact]
    public async Task Objects_kept_on_nodes_b_and_c_are_served_byte_for_byte_by_node_a()
    {
        using var temp = new TempDirectory();
        var built = await KeptObjectFiles.BuildLibraryAsync(temp.Path, "onnodeb");
        var library = await KeptObjectFiles.StrippedAsync(built);
        var debug = await KeptObjectFiles.DebugOnlyAsync(built);
        KeptObjectFiles.Plant(cluster.B.CoreRoot, KeptObjectFiles.Executables, library);
        KeptObjectFiles.Plant(cluster.C.CoreRoot, KeptObjectFiles.DebugInfo, debug);
        var gateway = $"http://127.0.0.1:{cluster.A.Port}/";

        var executable = await DebuginfodFind.FetchAsync(gateway, "executable", library.BuildId, Cache(temp));
        var debuginfo = await DebuginfodFind.FetchAsync(gateway, "debuginfo", library.BuildId, Cache(temp));

        Assert.True(executable.ExitCode == 0 && executable.Bytes is not null, executable.Output);
        Assert.Equal(library.Sha256, KeptObjectFiles.Sha256(executable.Bytes));
        // node-b's copy is stripped: the debuginfo is node-c's separate debug file.
        Assert.True(debuginfo.ExitCode == 0 && debuginfo.Bytes is not null, debuginfo.Output);
        Assert.Equal(debug.Sha256, KeptObjectFiles.Sha256(debuginfo.Bytes));
        Assert.False(File.Exists(Path.Join(cluster.A.CoreRoot, KeptObjectFiles.Executables, $"{library.BuildId}-{library.Sha256}")));

        // A range of node-b's copy, through node-a's gateway, streamed through node-b's profiler grain.
        var bytes = library.Bytes;
        using var range = new HttpRequestMessage(HttpMethod.Get, $"/buildid/{library.BuildId}/executable") { Headers = { Range = new RangeHeaderValue(1000, 4999) } };
        using var partial = await cluster.A.Http.SendAsync(range);
        Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
        Assert.Equal(bytes[1000..5000], await partial.Content.ReadAsByteArrayAsync());
        Assert.Equal(bytes.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), Assert.Single(partial.Headers.GetValues("X-DEBUGINFOD-SIZE")));
    }

    [Fact]
    public async Task An_id_no_node_keeps_is_404_within_the_lookup_time_limit()
    {
        var clock = Stopwatch.StartNew();
        using var missing = await cluster.C.Http.GetAsync("/buildid/ffeeddccbbaa99887766554433221100ffeeddcc/executable");

        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"took {clock.Elapsed}");
    }

    private static string Cache(TempDirectory temp) => Directory.CreateDirectory(Path.Join(temp.Path, "cache-" + Guid.NewGuid().ToString("N"))).FullName;
}
