using System.Diagnostics;
using CoreFileProfiler.Node.Sandbox;
using CoreFileProfiler.Store;
using CoreFileProfiler.Tests.Support;

namespace CoreFileProfiler.Tests.Sandbox;

public sealed class HandOverDirectoryTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void A_symlink_in_place_of_the_sandbox_folder_is_removed_at_start_up_without_touching_what_it_points_at()
    {
        var store = Directory.CreateDirectory(Path.Join(_temp.Path, "store")).FullName;
        var granted = _temp.Write("elsewhere/left/granted", "not the store's");
        var options = new SandboxOptions();
        Setfacl($"u:{options.FirstUid}:r", granted);
        File.CreateSymbolicLink(Path.Join(store, StoreLayout.HandOverFolder), Path.Join(_temp.Path, "elsewhere"));

        HandOverDirectory.RemoveLeftovers(store, options);

        Assert.False(Path.Exists(Path.Join(store, StoreLayout.HandOverFolder)));
        Assert.Equal("not the store's", File.ReadAllText(granted));
        Assert.Contains($"user:{options.FirstUid}:r--", Getfacl(granted), StringComparison.Ordinal);
    }

    [Fact]
    public void Leftovers_in_a_real_sandbox_folder_lose_their_grants_and_go()
    {
        var store = Directory.CreateDirectory(Path.Join(_temp.Path, "store")).FullName;
        var core = _temp.Write("store/kubernetes/ns/pod/app/1_20260101-000000", "core");
        var handOver = Directory.CreateDirectory(Path.Join(store, StoreLayout.HandOverFolder, "0123")).FullName;
        // As a killed silo leaves it: the core hard-linked into a hand-over directory, granted to a sandbox uid.
        Run("ln", core, Path.Join(handOver, "core"));
        var options = new SandboxOptions();
        Setfacl($"u:{options.FirstUid + 7}:r", core);

        HandOverDirectory.RemoveLeftovers(store, options);

        Assert.False(Directory.Exists(Path.Join(store, StoreLayout.HandOverFolder)));
        Assert.DoesNotContain($"user:{options.FirstUid + 7}", Getfacl(core), StringComparison.Ordinal);
        Assert.Equal("core", File.ReadAllText(core));
    }

    [Theory]
    [InlineData("../../etc/shadow")]
    [InlineData("/usr/lib/../../../etc/shadow")]
    [InlineData("/usr/lib/..")]
    [InlineData("/usr/./lib/libc.so.6")]
    [InlineData("//etc/shadow")]
    [InlineData("/")]
    [InlineData("etc/shadow")]
    [InlineData("/lib/libc.so.6\nshell id")]
    [InlineData("/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/lib.so")]
    public void A_sysroot_path_from_metadata_that_could_leave_the_sysroot_is_refused(string path) =>
        Assert.Null(HandOverDirectory.SysrootPathFor(path));

    [Theory]
    [InlineData("/usr/lib/x86_64-linux-gnu/libshop.so", "usr/lib/x86_64-linux-gnu/libshop.so")]
    [InlineData("/app/.venv/lib/libx.so (deleted)", "app/.venv/lib/libx.so")]
    [InlineData("/opt/my app/lib..so", "opt/my app/lib..so")]
    public void A_process_path_goes_at_the_same_place_in_the_sysroot(string path, string expected) =>
        Assert.Equal(expected, HandOverDirectory.SysrootPathFor(path));

    [Fact]
    public void Kept_objects_are_linked_at_their_paths_and_a_tampered_path_lands_nowhere()
    {
        var store = Directory.CreateDirectory(Path.Join(_temp.Path, "store")).FullName;
        var copy = _temp.Write($"store/{ExecutableCopies.Folder}/ab12-{new string('0', 64)}", "library");
        var status = OpenStatus(copy);
        using (var handOver = HandOverDirectory.Create(store, new SandboxOptions().FirstUid))
        {
            var linked = handOver.AddToSysroot(copy, "/usr/lib/libshop.so", status);
            Assert.Equal(Path.Join(handOver.Path, HandOverDirectory.Sysroot, "usr/lib/libshop.so"), linked);
            Assert.Equal("library", File.ReadAllText(linked!));
            Assert.Null(handOver.AddToSysroot(copy, "/../../../../escaped", status));
            Assert.Null(handOver.AddToSysroot(copy, "/usr/lib/libshop.so", status)); // the place is taken
            var debug = handOver.AddDebugFile(copy, "ab12", status);
            Assert.Equal(Path.Join(handOver.Path, HandOverDirectory.DebugFiles, ".build-id/ab/12.debug"), debug);
            Assert.Null(handOver.AddDebugFile(copy, "../x", status));
            Assert.Contains($"user:{handOver.Uid}:r", Getfacl(copy), StringComparison.Ordinal);
        }

        Assert.Empty(Directory.EnumerateFileSystemEntries(_temp.Path, "escaped", SearchOption.AllDirectories));
        // Every grant on the store's copy (linked twice, once under .build-id) is taken back.
        Assert.DoesNotContain($"user:{new SandboxOptions().FirstUid}:", Getfacl(copy), StringComparison.Ordinal);
    }

    private static CoreFileProfiler.Store.Interop.FileStatus OpenStatus(string path)
    {
        using var file = StoreDirectory.OpenExistingFileAt(path);
        return StoreDirectory.StatusOf(file)!.Value;
    }

    private static void Setfacl(string entry, string path) => Run("setfacl", "-m", entry, path);

    private static string Getfacl(string path) => Run("getfacl", "-n", "-c", path);

    private static string Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{program}: {output}");
        return output;
    }
}
