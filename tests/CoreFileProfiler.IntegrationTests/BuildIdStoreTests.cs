using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using CoreFileProfiler.IntegrationTests.Support;

namespace CoreFileProfiler.IntegrationTests;

/// <summary>
/// Issue 17 (docs/architecture.md, Build-id store): a program that crashes in its own shared
/// library, in a pod container that is then removed with its image, still debugs to function and
/// file:line, in a gdb terminal and in its crash report, from what the collector kept by build-id; and
/// what the hostile container planted to make the collector keep the node's files is not kept; and
/// <c>debuginfod-find</c> fetches the library and its debug file from the silo byte for byte.
/// </summary>
[Collection(LiveContainersTests.Name)]
public sealed class BuildIdStoreTests(LiveContainersFixture fixture)
{
    private const string Pod = "shop-pod";
    private const string Container = "shop";
    private const string Image = "localhost/cfp-shop:latest";
    private const int CheckoutLine = 3;
    private const int MainLine = 4;

    [KernelFact]
    public async Task A_crash_in_a_library_debugs_to_its_line_after_the_container_and_its_image_are_gone_and_planted_links_keep_nothing()
    {
        using var temp = new TempDirectory();
        var work = Path.Join(temp.Path, "silo");
        var silo = await SiloProcess.StartAsync(work);
        try
        {
            await using var collector = await InstalledCollector.InstallAsync(silo.CoreRoot);
            var shop = await BuildAsync(temp.Path);
            await fixture.Docker.ImportAsync(shop.Rootfs, Image);
            var id = await fixture.Docker.RunPodContainerFromAsync(Image, "default", Pod, Container, "/bin/sleep", "300");
            File.CreateSymbolicLink(Path.Join(collector.LogRoot, "containers", $"{Pod}_default_{Container}-{id}.log"), $"/var/log/pods/x/{Container}/0.log");

            var (exitCode, output) = await fixture.Docker.DockerAsync("exec", id, "/app/dynmain");
            Assert.True(exitCode == 139, $"dynmain exited {exitCode}: {output}");
            var core = Assert.Single(await InstalledCollector.WaitForCoresAsync(Path.Join(silo.CoreRoot, "kubernetes", "default", Pod, Container), 1));
            await CrashReportFiles.WaitForAsync(core, silo); // made while the container still ran; made again below without it

            // Every rollout: the container and its image are gone, and with them the library.
            Assert.Equal(0, (await fixture.Docker.DockerAsync("rm", "-f", id)).ExitCode);
            Assert.Equal(0, (await fixture.Docker.DockerAsync("rmi", Image)).ExitCode);

            // The collector kept the library and its debug file (the container's own, found by its .gnu_debuglink).
            var metadata = Collector.Metadata(core);
            var objects = metadata.GetProperty("objects").EnumerateArray().ToList();
            var library = objects.Single(o => o.GetProperty("path").GetString() == "/app/lib/libshop.so");
            Assert.Equal(shop.LibraryBuildId, library.GetProperty("buildId").GetString());
            Assert.Equal(Sha256Of(shop.ContainerDebugFile), library.GetProperty("debugSha256").GetString());
            Assert.Contains(objects, o => o.GetProperty("path").GetString() == "/app/dynmain");
            Assert.Contains(objects, o => o.GetProperty("path").GetString()!.EndsWith("/libc.so.6", StringComparison.Ordinal));

            // Nothing the planted links point at on the node was kept: not /etc/shadow, not the node's debug file for the library.
            var kept = Directory.GetFiles(silo.CoreRoot, "*", SearchOption.AllDirectories).Where(f => f.Contains("/.executables/", StringComparison.Ordinal) || f.Contains("/.debuginfo/", StringComparison.Ordinal)).ToList();
            Assert.NotEmpty(kept);
            var keptHashes = kept.Select(Sha256Of).ToHashSet();
            Assert.DoesNotContain(Sha256Of("/etc/shadow"), keptHashes);
            Assert.DoesNotContain(Sha256Of(shop.NodeDebugFile), keptHashes);

            // gdb in a session, over the WebSocket: the library's frame at its line, and main at its.
            var session = await SiloFixture.OpenSessionAsync(silo, SiloFixture.CoredumpRequest(Pod, Container));
            var file = (await silo.Http.GetFromJsonAsync<JsonElement>(session + "api")).GetProperty("files")[0].GetProperty("path").GetString()!;
            var (_, _, ws) = await SiloFixture.OpenTerminalAsync(silo.Http, session, file);
            await using (var viewer = await TerminalClient.ConnectAsync(ws))
            {
                var banner = await viewer.WaitForAsync("(gdb) ", TimeSpan.FromSeconds(60));
                Assert.True(Regex.IsMatch(banner, @"symbols: \d+ objects and 1 debug file from the build-id store\."), banner);
                await viewer.TypeAsync("bt\n");
                var text = await viewer.WaitForAsync($"dynmain.c:{MainLine}", TimeSpan.FromSeconds(30));
                Assert.True(Regex.IsMatch(text, $@"#0 .* in shop_checkout \(basket=0x0\) at (\S*/)?libshop\.c:{CheckoutLine}"), text);
                Assert.True(Regex.IsMatch(text, $@"#1 .* in main \(\) at (\S*/)?dynmain\.c:{MainLine}"), text);
            }

            // The crash report, made again now that the container is gone (a restarted silo reports every core without one).
            await silo.DisposeAsync();
            File.Delete(core + ".report.json");
            silo = await SiloProcess.StartAsync(work);
            var frames = (await CrashReportFiles.WaitForAsync(core, silo, TimeSpan.FromSeconds(60))).GetProperty("frames").EnumerateArray().ToList();
            Assert.True(frames.Count >= 2, JsonSerializer.Serialize(frames));
            Assert.Equal(("shop_checkout", "libshop.c", CheckoutLine), Frame(frames[0]));
            Assert.Equal(("main", "dynmain.c", MainLine), Frame(frames[1]));

            // A developer's own tools, with DEBUGINFOD_URLS at the silo: the library and its debug file, byte for byte.
            var server = silo.Http.BaseAddress!.ToString();
            string Cache(string name) => Directory.CreateDirectory(Path.Join(temp.Path, name)).FullName;
            var (_, executable, executableOutput) = await DebuginfodFind.FetchAsync(server, "executable", shop.LibraryBuildId, Cache("executable-cache"));
            Assert.True(executable is not null, executableOutput);
            Assert.Equal(Sha256Of(shop.Library), Convert.ToHexStringLower(SHA256.HashData(executable)));
            var (_, debuginfo, debugOutput) = await DebuginfodFind.FetchAsync(server, "debuginfo", shop.LibraryBuildId, Cache("debuginfo-cache"));
            Assert.True(debuginfo is not null, debugOutput);
            Assert.Equal(Sha256Of(shop.ContainerDebugFile), Convert.ToHexStringLower(SHA256.HashData(debuginfo)));
            var (unknownExit, _, _) = await DebuginfodFind.FetchAsync(server, "executable", new string('0', 40), Cache("unknown-cache"));
            Assert.NotEqual(0, unknownExit);
        }
        finally
        {
            await silo.DisposeAsync();
        }
    }

    private static (string?, string?, int?) Frame(JsonElement frame) =>
        (frame.TryGetProperty("function", out var f) ? f.GetString() : null,
         frame.TryGetProperty("file", out var file) ? Path.GetFileName(file.GetString()) : null,
         frame.TryGetProperty("line", out var line) ? line.GetInt32() : null);

    private static string Sha256Of(string path)
    {
        try
        {
            using var file = File.OpenRead(path);
            return Convert.ToHexStringLower(SHA256.HashData(file));
        }
        catch (IOException)
        {
            return ""; // gone meanwhile
        }
    }

    private sealed record Shop(string Rootfs, string Library, string LibraryBuildId, string ContainerDebugFile, string NodeDebugFile);

    /// <summary>
    /// The image's tree: busybox, <c>/app/dynmain</c> (<c>-g</c>) linked against <c>/app/lib/libshop.so</c>
    /// (its debug information split into <c>/app/lib/.debug/libshop.so.debug</c>, named by its
    /// <c>.gnu_debuglink</c>), the C runtime copied from this machine, and links planted where the
    /// collector looks for debug files by build-id: the library's to a node file that carries its
    /// build-id (a copy of its debug file, one byte longer), libc's to the node's <c>/etc/shadow</c>.
    /// </summary>
    private static async Task<Shop> BuildAsync(string directory)
    {
        var rootfs = Path.Join(directory, "shop-rootfs");
        var lib = Directory.CreateDirectory(Path.Join(rootfs, "app", "lib")).FullName;
        foreach (var folder in new[] { "bin", "proc", "sys", "dev", "etc", "tmp" }) Directory.CreateDirectory(Path.Join(rootfs, folder));
        File.Copy(File.Exists("/bin/busybox") ? "/bin/busybox" : "/usr/bin/busybox", Path.Join(rootfs, "bin", "busybox"));
        File.CreateSymbolicLink(Path.Join(rootfs, "bin", "sleep"), "busybox");

        await File.WriteAllTextAsync(Path.Join(directory, "libshop.c"), """
            int shop_checkout(int *basket)
            {
                return *basket + 1;
            }
            """);
        await File.WriteAllTextAsync(Path.Join(directory, "dynmain.c"), """
            int shop_checkout(int *basket);
            int main(void)
            {
                return shop_checkout((int *)0);
            }
            """);
        var library = Path.Join(lib, "libshop.so");
        var debugFolder = Directory.CreateDirectory(Path.Join(lib, ".debug")).FullName;
        var debugFile = Path.Join(debugFolder, "libshop.so.debug");
        var program = Path.Join(rootfs, "app", "dynmain");
        await Run("gcc", "-g", "-O0", "-shared", "-fPIC", "-o", library, Path.Join(directory, "libshop.c"));
        await Run("objcopy", "--only-keep-debug", library, debugFile);
        await Run("objcopy", "--strip-debug", $"--add-gnu-debuglink={debugFile}", library);
        await Run("gcc", "-g", "-O0", "-o", program, Path.Join(directory, "dynmain.c"), $"-L{lib}", "-lshop", "-Wl,-rpath,/app/lib");

        // The C runtime, at the paths the program asks for.
        var (_, ldd) = await Command.RunAsync("ldd", [program]);
        foreach (Match needed in Regex.Matches(ldd, @"(?:=> )?(/\S+) \(0x"))
        {
            var path = needed.Groups[1].Value;
            if (path.Contains("libshop", StringComparison.Ordinal)) continue;
            Directory.CreateDirectory(Path.GetDirectoryName(rootfs + path)!);
            File.Copy(path, rootfs + path, overwrite: true); // follows the node's links: the file itself
        }

        var buildId = await BuildIdAsync(library);
        var nodeDebugFile = Path.Join(directory, "node-libshop.debug");
        await File.WriteAllBytesAsync(nodeDebugFile, [.. await File.ReadAllBytesAsync(debugFile), 0]);
        Plant(rootfs, buildId, nodeDebugFile);
        var libc = Directory.GetFiles(rootfs, "libc.so.6", SearchOption.AllDirectories).Single();
        Plant(rootfs, await BuildIdAsync(libc), "/etc/shadow");
        return new Shop(rootfs, library, buildId, debugFile, nodeDebugFile);
    }

    /// <summary>A symlink where the collector looks for <paramref name="buildId"/>'s debug file, to a file of the node.</summary>
    private static void Plant(string rootfs, string buildId, string nodePath)
    {
        var link = Path.Join(rootfs, "usr", "lib", "debug", ".build-id", buildId[..2], buildId[2..] + ".debug");
        Directory.CreateDirectory(Path.GetDirectoryName(link)!);
        File.CreateSymbolicLink(link, nodePath);
    }

    private static async Task<string> BuildIdAsync(string elf)
    {
        var (_, notes) = await Command.RunAsync("readelf", ["-n", elf]);
        return Regex.Match(notes, @"Build ID: ([0-9a-f]+)").Groups[1].Value;
    }

    private static async Task Run(string program, params string[] arguments)
    {
        var (code, output) = await Command.RunAsync(program, arguments);
        Assert.True(code == 0, $"{program}: {output}");
    }
}
