using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using CoreFileProfiler.IntegrationTests.Support;

namespace CoreFileProfiler.IntegrationTests;

/// <summary>Issue 14, item 2: no symlink in the core store is ever followed, by the collector or the silo.</summary>
[Collection(SiloTests.Name)]
public sealed class CoreStoreSymlinkTests(SiloFixture fixture)
{
    private const string Ns = "tenant";
    private const string Pod = "web-1";
    private const string Container = "app";

    [Theory]
    [InlineData("kubernetes")]
    [InlineData("kubernetes/tenant")]
    [InlineData("kubernetes/tenant/web-1")]
    [InlineData("kubernetes/tenant/web-1/app")]
    public async Task A_symlink_planted_at_any_level_of_a_pods_directory_files_the_crash_at_the_node_level_and_nothing_outside_the_store(string planted)
    {
        using var temp = new TempDirectory();
        var store = Path.Join(temp.Path, "cores");
        var elsewhere = Directory.CreateDirectory(Path.Join(temp.Path, "elsewhere")).FullName;
        Directory.CreateDirectory(Path.GetDirectoryName(Path.Join(store, planted))!);
        File.CreateSymbolicLink(Path.Join(store, planted), elsewhere);
        var crash = new SyntheticCrash(temp.Path, fixture.Crasher, Ns, Pod, Container);
        var core = RandomNumberGenerator.GetBytes(64 << 10);

        var filed = await crash.CollectAsync(core, store);

        Assert.Empty(Directory.EnumerateFileSystemEntries(elsewhere, "*", SearchOption.AllDirectories));
        Assert.Equal(Path.Join(store, crash.CoreName), filed);
        Assert.Equal(core, await File.ReadAllBytesAsync(filed));
        var metadata = Collector.Metadata(filed);
        Assert.Equal($"filed at the node level: {planted} in the core store is a symlink; it is not followed.", metadata.GetProperty("note").GetString());
        Assert.Equal(Pod, metadata.GetProperty("pod").GetString());
        Assert.False(metadata.GetProperty("truncated").GetBoolean());
    }

    [Fact]
    public async Task Without_a_symlink_the_crash_is_filed_under_its_pod_with_a_copy_of_its_executable_named_by_content()
    {
        using var temp = new TempDirectory();
        var store = Path.Join(temp.Path, "cores");
        var crash = new SyntheticCrash(temp.Path, fixture.Crasher, Ns, Pod, Container);

        var filed = await crash.CollectAsync("core"u8.ToArray(), store);

        Assert.Equal(Path.Join(store, "kubernetes", Ns, Pod, Container, crash.CoreName), filed);
        var metadata = Collector.Metadata(filed);
        Assert.False(metadata.TryGetProperty("note", out var note) && note.ValueKind == JsonValueKind.String, $"note: {note}");
        var sha256 = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(fixture.Crasher)));
        Assert.Equal(sha256, metadata.GetProperty("executableSha256").GetString());
        var copy = Path.Join(store, ".executables", $"{await CrashingProgram.BuildIdAsync(fixture.Crasher)}-{sha256}");
        Assert.Equal(copy, metadata.GetProperty("executableCopy").GetString());
        Assert.Equal(await File.ReadAllBytesAsync(fixture.Crasher), await File.ReadAllBytesAsync(copy));
    }

    [Fact]
    public async Task A_symlinked_executables_folder_keeps_no_copy_and_writes_nothing_outside_the_store()
    {
        using var temp = new TempDirectory();
        var store = Directory.CreateDirectory(Path.Join(temp.Path, "cores")).FullName;
        var elsewhere = Directory.CreateDirectory(Path.Join(temp.Path, "elsewhere")).FullName;
        File.CreateSymbolicLink(Path.Join(store, ".executables"), elsewhere);
        var crash = new SyntheticCrash(temp.Path, fixture.Crasher, Ns, Pod, Container);

        var filed = await crash.CollectAsync("core"u8.ToArray(), store);

        Assert.Empty(Directory.EnumerateFileSystemEntries(elsewhere, "*", SearchOption.AllDirectories));
        Assert.Equal(Path.Join(store, "kubernetes", Ns, Pod, Container, crash.CoreName), filed);
        var metadata = Collector.Metadata(filed);
        Assert.Equal("executable not kept: .executables in the core store is a symlink; it is not followed.", metadata.GetProperty("note").GetString());
        Assert.False(metadata.TryGetProperty("executableCopy", out _));
    }

    [Fact]
    public async Task A_symlink_planted_under_the_metadatas_name_is_not_written_through()
    {
        using var temp = new TempDirectory();
        var store = Path.Join(temp.Path, "cores");
        var crash = new SyntheticCrash(temp.Path, fixture.Crasher, Ns, Pod, Container);
        var directory = Directory.CreateDirectory(Path.Join(store, "kubernetes", Ns, Pod, Container)).FullName;
        var victim = Path.Join(temp.Path, "victim.json");
        await File.WriteAllTextAsync(victim, "untouched");
        File.CreateSymbolicLink(Path.Join(directory, crash.CoreName + ".json"), victim);

        var filed = await crash.CollectAsync("core"u8.ToArray(), store);

        Assert.Equal("untouched", await File.ReadAllTextAsync(victim));
        // The planted name is taken, so the core gets the next free one, with metadata of its own.
        Assert.Equal(Path.Join(directory, crash.CoreName + "-1"), filed);
        Assert.Null(new FileInfo(filed + ".json").LinkTarget);
        Assert.Equal(crash.Pid, Collector.Metadata(filed).GetProperty("pid").GetInt32());
    }

    [Fact]
    public async Task A_symlink_in_a_pods_directory_is_neither_listed_nor_downloadable_and_its_real_cores_are()
    {
        const string pod = "symlinked-entries";
        var honest = await fixture.CrashIntoAsync(pod, "app");
        var container = Path.GetDirectoryName(honest)!;
        File.CreateSymbolicLink(Path.Join(container, "1_20260101-000000"), "/etc/shadow");
        File.CreateSymbolicLink(Path.Join(container, "linked"), "/etc");
        File.CreateSymbolicLink(Path.Join(Path.GetDirectoryName(container)!, "etc"), "/etc");
        var session = await fixture.OpenSessionAsync(SiloFixture.CoredumpRequest(pod));

        var files = (await fixture.Silo.Http.GetFromJsonAsync<JsonElement>(session + "api")).GetProperty("files");

        Assert.Equal(["app/" + Path.GetFileName(honest)], files.EnumerateArray().Select(f => f.GetProperty("path").GetString()));
        foreach (var planted in new[] { "app/1_20260101-000000", "app/linked/shadow", "app/linked/passwd", "etc/passwd" })
        {
            using var download = await fixture.Silo.Http.GetAsync($"{session}files/{planted}");
            Assert.Equal(HttpStatusCode.NotFound, download.StatusCode);
        }

        using var real = await fixture.Silo.Http.GetAsync($"{session}files/app/{Path.GetFileName(honest)}");
        Assert.Equal(HttpStatusCode.OK, real.StatusCode);
        Assert.Equal(await File.ReadAllBytesAsync(honest), await real.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task A_symlink_planted_in_a_hand_over_directory_is_not_followed_when_the_terminal_ends()
    {
        var (session, file) = await fixture.CrashAndOpenAsync("hand-over-symlink");
        // The crash's report is made by a gdb with a hand-over of its own: done first, so only the terminal's is new.
        await CrashReportFiles.WaitForAsync(Path.Join(fixture.Silo.CoreRoot, "kubernetes", SiloFixture.Namespace, "hand-over-symlink", file), fixture.Silo);
        var handOvers = Path.Join(fixture.Silo.CoreRoot, ".sandbox");
        var before = Directory.GetDirectories(handOvers).ToHashSet();
        var (_, _, ws) = await SiloFixture.OpenTerminalAsync(fixture.Silo.Http, session, file);
        await using var viewer = await TerminalClient.ConnectAsync(ws);
        await viewer.WaitForAsync("(gdb) ");
        var handOver = Assert.Single(Directory.GetDirectories(handOvers), d => !before.Contains(d));
        // What the terminal's uid could do if it could write there: a link to a directory of the node
        // holding a file granted to that uid, which the clean-up would then have taken back.
        var uid = (await Command.RunAsync("getfacl", ["-n", "-c", handOver])).Output.Split('\n')
            .Single(l => l.StartsWith("user:", StringComparison.Ordinal) && l.Split(':')[1].Length > 0).Split(':')[1];
        using var temp = new TempDirectory();
        var outside = Path.Join(temp.Path, "granted");
        await File.WriteAllTextAsync(outside, "not the store's");
        Assert.Equal(0, (await Command.RunAsync("setfacl", ["-m", $"u:{uid}:r", outside])).ExitCode);
        File.CreateSymbolicLink(Path.Join(handOver, "planted"), temp.Path);

        await fixture.Silo.Http.DeleteAsync(session);

        Assert.True(SpinWait.SpinUntil(() => !Directory.Exists(handOver), TimeSpan.FromSeconds(10)), "the hand-over directory outlived its terminal");
        Assert.Equal("not the store's", await File.ReadAllTextAsync(outside));
        Assert.Contains($"user:{uid}:r--", (await Command.RunAsync("getfacl", ["-n", "-c", outside])).Output, StringComparison.Ordinal);
    }
}
