using CoreFileProfiler.Store;
using CoreFileProfiler.Tests.Support;
using CsCheck;

namespace CoreFileProfiler.Tests.Store;

/// <summary>The one naming and collision rule the collector and gcore snapshots both file cores by.</summary>
public sealed class CoreFileNameTests : IDisposable
{
    private const string Base = "4242_20261127-131415";

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void A_core_is_named_by_its_pid_and_the_utc_second_of_its_crash()
    {
        var time = new DateTimeOffset(2026, 11, 27, 15, 14, 15, 999, TimeSpan.FromHours(2));

        Assert.Equal(Base, CoreFileName.For(4242, time));
    }

    [Fact]
    public void The_second_and_third_core_of_a_pid_in_one_second_get_dash_one_and_dash_two_and_nothing_is_overwritten()
    {
        using var directory = StoreDirectory.OpenRoot(_temp.Path);

        string[] contents = ["first", "second", "third"];
        var names = contents.Select(content => Publish(directory, content)).ToList();

        Assert.Equal([Base, $"{Base}-1", $"{Base}-2"], names);
        Assert.Equal(contents, names.Select(name => File.ReadAllText(Path.Join(_temp.Path, name))));
    }

    [Fact]
    public void A_compressed_core_does_not_take_the_name_of_a_plain_one_nor_the_other_way_round()
    {
        using var directory = StoreDirectory.OpenRoot(_temp.Path);

        var plain = Publish(directory, "plain");
        var compressed = Publish(directory, "compressed", CompressedCore.Extension);
        var plainAgain = Publish(directory, "plain again");

        Assert.Equal([Base, $"{Base}-1.zst", $"{Base}-2"], [plain, compressed, plainAgain]);
    }

    [Fact]
    public void Metadata_alone_takes_its_name_so_a_new_core_never_inherits_another_cores_metadata()
    {
        _temp.Write($"{Base}.json", "{\"pid\":1}");
        using var directory = StoreDirectory.OpenRoot(_temp.Path);

        Assert.Equal($"{Base}-1", Publish(directory, "core"));
        Assert.Equal("{\"pid\":1}", File.ReadAllText(Path.Join(_temp.Path, $"{Base}.json")));
    }

    [Fact]
    public void The_name_given_is_the_first_whose_core_twin_and_metadata_are_all_free()
    {
        // Four candidates (the name, -1, -2, -3), each taken or not by its core, its .zst twin or its metadata.
        string[] forms = ["", CompressedCore.Extension, ".json"];
        Gen.Bool.Array[12].Sample(taken =>
        {
            var path = Directory.CreateDirectory(Path.Join(_temp.Path, Guid.NewGuid().ToString("N"))).FullName;
            var candidates = Enumerable.Range(0, 5).Select(n => n == 0 ? Base : $"{Base}-{n}").ToList();
            for (var i = 0; i < taken.Length; i++)
            {
                if (taken[i]) File.WriteAllText(Path.Join(path, candidates[i / 3] + forms[i % 3]), "there before");
            }

            using var directory = StoreDirectory.OpenRoot(path);
            var name = Publish(directory, "new core");

            var free = Enumerable.Range(0, candidates.Count).First(n => n == candidates.Count - 1 || !taken.Skip(3 * n).Take(3).Any(t => t));
            Assert.Equal(candidates[free], name);
            Assert.Equal(taken.Count(t => t), Directory.GetFiles(path).Count(f => File.ReadAllText(f) == "there before"));
        }, iter: 100);
    }

    private static string Publish(StoreDirectory directory, string content, string extension = "")
    {
        var (temporary, file) = directory.CreateTemporary(Base);
        using (file) file.Write(System.Text.Encoding.UTF8.GetBytes(content));
        return CoreFileName.Publish(directory, temporary, Base, extension);
    }
}
