using System.Security.Cryptography;
using CoreFileProfiler.IntegrationTests.Support;

namespace CoreFileProfiler.IntegrationTests;

/// <summary>Issue 14, item 3: the collector's copies of executables are keyed by content and checked before gdb uses one.</summary>
[Collection(SiloTests.Name)]
public sealed class ExecutableCopyTests(SiloFixture fixture)
{
    private const string Ns = SiloFixture.Namespace;

    [Fact]
    public async Task Two_programs_claiming_one_build_id_get_a_copy_each_and_each_cores_gdb_debugs_its_own_program()
    {
        using var temp = new TempDirectory();
        var buildId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));
        var alpha = await BuildAsync(temp.Path, "alpha", buildId);
        var beta = await BuildAsync(temp.Path, "beta", buildId);
        var pod = "same-build-id";

        var alphaCore = await CrashAndCollectAsync(temp.Path, alpha, pod, "alpha");
        var betaCore = await CrashAndCollectAsync(temp.Path, beta, pod, "beta");

        var copies = Directory.GetFiles(Path.Join(fixture.Silo.CoreRoot, ".executables"), buildId + "-*");
        Assert.Equal(2, copies.Length);
        Assert.NotEqual(Collector.Metadata(alphaCore).GetProperty("executableSha256").GetString(), Collector.Metadata(betaCore).GetProperty("executableSha256").GetString());
        var session = await fixture.OpenSessionAsync(SiloFixture.CoredumpRequest(pod));
        foreach (var (core, function, other) in new[] { (alphaCore, "crash_in_alpha", "crash_in_beta"), (betaCore, "crash_in_beta", "crash_in_alpha") })
        {
            var text = await BacktraceAsync(session, $"{Path.GetFileName(Path.GetDirectoryName(core))}/{Path.GetFileName(core)}", function);
            Assert.Contains("SHA-256 verified", text, StringComparison.Ordinal);
            Assert.DoesNotContain(other, text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_copy_changed_after_the_crash_is_refused_with_the_reason_and_an_unchanged_one_is_used()
    {
        using var temp = new TempDirectory();
        var program = await BuildAsync(temp.Path, "gamma", Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20)));
        var pod = "tampered-copy";
        var core = await CrashAndCollectAsync(temp.Path, program, pod, "gamma");
        var session = await fixture.OpenSessionAsync(SiloFixture.CoredumpRequest(pod));
        var file = "gamma/" + Path.GetFileName(core);
        await BacktraceAsync(session, file, "crash_in_gamma");

        var copy = Collector.Metadata(core).GetProperty("executableCopy").GetString()!;
        await using (var bytes = new FileStream(copy, FileMode.Open, FileAccess.ReadWrite))
        {
            bytes.Position = bytes.Length - 1;
            var last = bytes.ReadByte();
            bytes.Position = bytes.Length - 1;
            bytes.WriteByte((byte)(last ^ 0xff));
        }

        var (_, _, ws) = await SiloFixture.OpenTerminalAsync(fixture.Silo.Http, session, file);
        await using var viewer = await TerminalClient.ConnectAsync(ws);
        var text = await viewer.WaitForAsync("(gdb) ");
        Assert.Contains($"was changed after the crash", text, StringComparison.Ordinal);
        Assert.Contains("symbols will be missing", text, StringComparison.Ordinal);
    }

    /// <summary>A program whose crash is in <c>crash_in_&lt;name&gt;</c>, linked with the given build-id.</summary>
    private static async Task<string> BuildAsync(string directory, string name, string buildId)
    {
        var source = Path.Join(directory, name + ".c");
        await File.WriteAllTextAsync(source, $$"""
            __attribute__((noinline)) void crash_in_{{name}}(volatile int *where) { *where = 1; }
            int main(void) { crash_in_{{name}}((int *)0); return 0; }
            """);
        var executable = Path.Join(directory, name);
        var (code, output) = await Command.RunAsync("gcc", ["-g", "-O0", $"-Wl,--build-id=0x{buildId}", "-o", executable, source]);
        Assert.True(code == 0, output);
        return executable;
    }

    /// <summary>Crashes the program for real and has the real collector file its core under the pod (a synthetic /proc names the container).</summary>
    private async Task<string> CrashAndCollectAsync(string directory, string program, string pod, string container)
    {
        var (core, pid) = await CrashingProgram.CrashAsync(program, Path.Join(directory, "crash-" + container));
        var crash = new SyntheticCrash(Path.Join(directory, "seen-" + container), program, Ns, pod, container, pid);
        return await crash.CollectAsync(await File.ReadAllBytesAsync(core), fixture.Silo.CoreRoot);
    }

    private async Task<string> BacktraceAsync(string session, string file, string function)
    {
        var (_, _, ws) = await SiloFixture.OpenTerminalAsync(fixture.Silo.Http, session, file);
        await using var viewer = await TerminalClient.ConnectAsync(ws);
        await viewer.WaitForAsync("(gdb) ");
        await viewer.TypeAsync("bt\n");
        return await viewer.WaitForAsync(function);
    }
}
