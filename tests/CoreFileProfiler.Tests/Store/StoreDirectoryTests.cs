using CoreFileProfiler.Store;
using CoreFileProfiler.Tests.Support;
using CsCheck;

namespace CoreFileProfiler.Tests.Store;

public sealed class StoreDirectoryTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public StoreDirectoryTests()
    {
        Directory.CreateDirectory(Store);
        Directory.CreateDirectory(Outside);
        Directory.CreateDirectory(Path.Join(Store, "kubernetes"));
        File.CreateSymbolicLink(Path.Join(Store, "kubernetes", "linked"), Outside);
        File.CreateSymbolicLink(Path.Join(Store, "up"), "..");
        File.CreateSymbolicLink(Path.Join(Store, "shadow"), "/etc/shadow");
    }

    private string Store => Path.Join(_temp.Path, "store");

    private string Outside => Path.Join(_temp.Path, "outside");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Whatever_path_is_asked_for_directories_are_made_inside_the_store_only()
    {
        string[] components = ["kubernetes", "linked", "up", "shadow", "..", ".", "a", "b", "", "/", "proc", "self"];
        using var root = StoreDirectory.OpenRoot(Store);

        Gen.Int[0, components.Length - 1].Array[1, 6].Sample(picks =>
        {
            var path = string.Join('/', picks.Select(p => components[p]));
            try
            {
                using var made = root.CreateDirectories(path);
                Assert.StartsWith(Store, Path.GetFullPath(made.Path), StringComparison.Ordinal);
            }
            catch (SymlinkInStoreException)
            {
                // refused: the intended answer for a link, "..", or a file where a directory must be
            }
        }, iter: 500);

        Assert.Empty(Directory.EnumerateFileSystemEntries(Outside, "*", SearchOption.AllDirectories));
        Assert.Equal(["outside", "store"], Directory.GetFileSystemEntries(_temp.Path).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void A_symlinked_component_is_named_in_the_refusal()
    {
        using var root = StoreDirectory.OpenRoot(Store);

        var refusal = Assert.Throws<SymlinkInStoreException>(() => root.CreateDirectories("kubernetes/linked/pod/app"));

        Assert.Equal("kubernetes/linked", refusal.Component);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Outside));
    }

    [Fact]
    public void Publishing_never_replaces_a_name_and_replacing_a_symlink_leaves_its_target_alone()
    {
        var victim = Path.Join(Outside, "victim");
        File.WriteAllText(victim, "untouched");
        File.CreateSymbolicLink(Path.Join(Store, "metadata.json"), victim);
        File.WriteAllText(Path.Join(Store, "core"), "first");
        using var root = StoreDirectory.OpenRoot(Store);

        var (temporary, file) = root.CreateTemporary("core");
        using (file) file.Write("second"u8);
        Assert.False(root.Publish(temporary, "core"));
        Assert.Equal("first", File.ReadAllText(Path.Join(Store, "core")));
        root.Replace(temporary, "metadata.json");

        Assert.Equal("untouched", File.ReadAllText(victim));
        Assert.Equal("second", File.ReadAllText(Path.Join(Store, "metadata.json")));
        Assert.Null(new FileInfo(Path.Join(Store, "metadata.json")).LinkTarget);
    }

    [Fact]
    public void Listing_neither_lists_nor_enters_symlinks_nor_lists_fifos()
    {
        File.WriteAllText(Path.Join(Store, "kubernetes", "core"), "core");
        Assert.Equal(0, Mkfifo(Path.Join(Store, "kubernetes", "fifo")));
        File.WriteAllText(Path.Join(Outside, "secret"), "not the store's");
        using var root = StoreDirectory.OpenRoot(Store);

        var files = root.ListFiles(6, _ => true).Select(f => f.RelativePath).ToList();

        Assert.Equal(["kubernetes/core"], files);
        Assert.Null(StoreDirectory.OpenFileAt(Path.Join(Store, "kubernetes", "fifo")));
        Assert.Null(StoreDirectory.OpenFileAt(Path.Join(Store, "kubernetes", "linked", "secret")));
        Assert.Null(StoreDirectory.OpenFileAt(Path.Join(Store, "shadow")));
        using var core = StoreDirectory.OpenFileAt(Path.Join(Store, "kubernetes", "core"));
        Assert.NotNull(core);
    }

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int mkfifo(string path, int mode);

    private static int Mkfifo(string path) => mkfifo(path, 0x180);
}
