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
