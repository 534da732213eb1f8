using System.Diagnostics;
using CoreFileProfiler.Node;
using CoreFileProfiler.Node.Cores;
using CoreFileProfiler.Tests.Support;
using Microsoft.Extensions.Options;

namespace CoreFileProfiler.Tests.Cores;

public sealed class CoreStoreTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly CoreStore _store;

    public CoreStoreTests()
    {
        _store = new CoreStore(Options.Create(new ProfilerOptions { CoreRoot = Root }));
        _temp.Write("cores/kubernetes/default/web-1/app/100_20261127-120000", "app core");
        _temp.Write("cores/kubernetes/default/web-1/app/100_20261127-120000.json", "{}");
        _temp.Write("cores/kubernetes/default/web-1/app/.101_20261127-120100.tmp", "half written");
        _temp.Write("cores/kubernetes/default/web-1/sidecar/200_20261127-130000", "sidecar core");
        _temp.Write("outside/secret", "not yours");
    }

    private string Root => Path.Join(_temp.Path, "cores");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void A_pod_without_container_lists_every_container_with_its_name()
    {
        var files = _store.ForPod("default", "web-1", null).ListFiles();

        Assert.Equal(
            ["app/100_20261127-120000", "sidecar/200_20261127-130000"],
            files.Select(f => f.RelativePath).Order());
        Assert.All(files, f => Assert.Equal(f.RelativePath.Split('/')[0], f.Container));
    }

    [Fact]
    public void A_container_narrows_the_pod_to_its_directory()
    {
        var target = _store.ForPod("default", "web-1", "sidecar");

        var file = Assert.Single(target.ListFiles());
        Assert.Equal("sidecar/200_20261127-130000", file.RelativePath);
        Assert.Null(target.Find("app/100_20261127-120000"));
    }

    [Fact]
    public void Metadata_and_in_progress_files_are_neither_listed_nor_served()
    {
        var target = _store.ForPod("default", "web-1", null);

        Assert.DoesNotContain(target.ListFiles(), f => f.RelativePath.EndsWith(".json", StringComparison.Ordinal) || f.RelativePath.Contains("/.", StringComparison.Ordinal));
        Assert.Null(target.Find("app/100_20261127-120000.json"));
        Assert.Null(target.Find("app/.101_20261127-120100.tmp"));
    }

    [Fact]
    public void Missing_pods_and_containers_are_not_found()
    {
        Assert.Throws<DirectoryNotFoundException>(() => _store.ForPod("default", "nope", null));
        Assert.Throws<DirectoryNotFoundException>(() => _store.ForPod("default", "web-1", "nope"));
    }

    [Theory]
    [InlineData("..", "web-1", null)]
    [InlineData("default", "../../outside", null)]
    [InlineData("default", "web-1", "../sidecar")]
    [InlineData("Default", "web-1", null)]
    [InlineData("default", "web-1", "a/b")]
    public void Names_that_are_not_kubernetes_names_are_refused(string ns, string pod, string? container) =>
        Assert.Throws<ArgumentException>(() => _store.ForPod(ns, pod, container));

    [Theory]
    [InlineData("../outside/secret")]
    [InlineData("app/../../../outside/secret")]
    [InlineData("/etc/passwd")]
    [InlineData("app//100_20261127-120000")]
    [InlineData("./app/100_20261127-120000")]
    [InlineData("app\\100_20261127-120000")]
    [InlineData("")]
    public void Find_refuses_paths_that_are_not_exactly_a_listed_file(string path) =>
        Assert.Null(_store.ForPod("default", "web-1", null).Find(path));

    [Fact]
    public void A_file_path_inside_the_root_is_served_alone()
    {
        var target = _store.ForPath(Path.Join(Root, "kubernetes/default/web-1/app/100_20261127-120000"));

        var file = Assert.Single(target.ListFiles());
        Assert.Equal("100_20261127-120000", file.RelativePath);
        Assert.Equal("app", file.Container);
        Assert.Equal("app core", File.ReadAllText(target.Find("100_20261127-120000")!.FullPath));
    }

    [Fact]
    public void Paths_outside_the_allowed_roots_are_refused_even_through_dot_dot_or_symlinks()
    {
        File.CreateSymbolicLink(Path.Join(Root, "link-out"), Path.Join(_temp.Path, "outside"));

        Assert.Throws<ArgumentException>(() => _store.ForPath(Path.Join(_temp.Path, "outside/secret")));
        Assert.Throws<ArgumentException>(() => _store.ForPath(Path.Join(Root, "../outside/secret")));
        Assert.Throws<ArgumentException>(() => _store.ForPath(Path.Join(Root, "link-out/secret")));
        Assert.Throws<ArgumentException>(() => _store.ForPath(Path.Join(Root, "link-out")));
        Assert.Throws<ArgumentException>(() => _store.ForPath("relative/path"));
        Assert.Throws<FileNotFoundException>(() => _store.ForPath(Path.Join(Root, "missing")));
    }

    [Fact]
    public void Symlinks_inside_a_directory_are_not_listed_or_followed()
    {
        File.CreateSymbolicLink(Path.Join(Root, "kubernetes/default/web-1/app/escape"), Path.Join(_temp.Path, "outside/secret"));
        Directory.CreateSymbolicLink(Path.Join(Root, "kubernetes/default/web-1/linked-dir"), Path.Join(_temp.Path, "outside"));
        var target = _store.ForPath(Root);

        Assert.DoesNotContain(target.ListFiles(), f => f.RelativePath.Contains("escape", StringComparison.Ordinal) || f.RelativePath.Contains("linked-dir", StringComparison.Ordinal));
        Assert.Null(target.Find("kubernetes/default/web-1/app/escape"));
        Assert.Null(target.Find("kubernetes/default/web-1/linked-dir/secret"));
    }

    [Fact]
    public void A_symlinked_pod_directory_is_refused()
    {
        Directory.CreateSymbolicLink(Path.Join(Root, "kubernetes/default/sneaky"), Path.Join(_temp.Path, "outside"));

        Assert.Throws<ArgumentException>(() => _store.ForPod("default", "sneaky", null));
    }

    [Fact]
    public void Fifos_are_never_listed_or_served_because_opening_one_would_hang()
    {
        var fifo = Path.Join(Root, "kubernetes/default/web-1/app/300_20261127-140000");
        using (var mkfifo = Process.Start("mkfifo", [fifo])) mkfifo.WaitForExit();
        Assert.True(File.Exists(fifo));
        var target = _store.ForPod("default", "web-1", null);

        Assert.DoesNotContain(target.ListFiles(), f => f.RelativePath == "app/300_20261127-140000");
        Assert.Null(target.Find("app/300_20261127-140000"));
        Assert.Throws<ArgumentException>(() => _store.ForPath(fifo));
    }

    [Fact]
    public void Extra_allowed_paths_extend_where_filepath_may_point()
    {
        var store = new CoreStore(Options.Create(new ProfilerOptions { CoreRoot = Root, AllowedPaths = [Root, Path.Join(_temp.Path, "outside")] }));

        Assert.Single(store.ForPath(Path.Join(_temp.Path, "outside")).ListFiles());
    }
}
