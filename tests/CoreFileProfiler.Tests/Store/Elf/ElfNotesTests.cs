using System.Diagnostics;
using CoreFileProfiler.Node.Debugging;
using CoreFileProfiler.Store.Elf;
using CoreFileProfiler.Tests.Support;
using CsCheck;
using Xunit.Abstractions;

namespace CoreFileProfiler.Tests.Store.Elf;

public sealed class ElfNotesTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _temp = new();

    public static TheoryData<string> Corpus => [.. HostileElf.Corpus().Select(entry => entry.Name)];

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void An_honest_program_gives_its_build_id()
    {
        Assert.Equal(Convert.ToHexStringLower(HostileElf.BuildId), ElfBuildId.Read(Write("program", HostileElf.ProgramWithBuildId())));
    }

    [Fact]
    public void An_honest_core_gives_its_command_arguments_and_mapped_files()
    {
        var notes = CoreNotes.Read(Write("core", HostileElf.CoreWithNotes()));

        Assert.NotNull(notes);
        Assert.Equal("crasher", notes.Command);
        Assert.Equal("crasher test", notes.Arguments);
        Assert.Equal(["/app/crasher", "/lib/libc.so.6"], notes.MappedFiles);
        Assert.Equal("/app/crasher", notes.Executable);
    }

    [Theory]
    [MemberData(nameof(Corpus))]
    public void Every_hostile_file_is_read_within_its_budget_and_only_an_honest_build_id_is_found(string name)
    {
        var (_, bytes, hasBuildId) = HostileElf.Corpus().Single(e => e.Name == name);
        var path = Write("hostile", bytes);
        var asCore = Write("hostile-core", HostileElf.AsCore(bytes));

        var (buildId, buildIdBytes, buildIdTime) = Measure(() => ElfBuildId.Read(path));
        var (notes, notesBytes, notesTime) = Measure(() => ElfNotes.Read(path));
        var (_, coreBytes, coreTime) = Measure(() => CoreNotes.Read(asCore));
        output.WriteLine($"{name}: file {bytes.Length} B; build-id {buildIdBytes} B allocated in {buildIdTime.TotalMilliseconds:F1} ms; " +
            $"all notes ({notes.Count}) {notesBytes} B in {notesTime.TotalMilliseconds:F1} ms; notes as a core {coreBytes} B in {coreTime.TotalMilliseconds:F1} ms");

        Assert.Equal(hasBuildId ? Convert.ToHexStringLower(HostileElf.BuildId) : null, buildId);
        Assert.True(buildIdBytes < ElfBuildId.MaxNoteBytes + (64 << 10), $"a build-id read allocated {buildIdBytes} bytes");
        // At most the notes once and their contents once (plus a little per note), never what the file declares.
        var bound = 2 * Math.Min(bytes.Length, ElfNotes.MaxNoteBytes) + (1 << 20);
        Assert.True(notesBytes < bound, $"reading the notes allocated {notesBytes} bytes");
        Assert.True(coreBytes < bound, $"reading the core's notes allocated {coreBytes} bytes");
        Assert.All(new[] { buildIdTime, notesTime, coreTime }, t => Assert.True(t < TimeSpan.FromSeconds(2), $"took {t}"));
        Assert.True(notes.Count <= 4096, $"{notes.Count} notes: a segment was read more than once");
    }

    [Fact]
    public void Sixty_four_program_headers_on_one_note_segment_read_it_once()
    {
        var path = Write("sixty-four", HostileElf.SixteenMiBNoteSixtyFourTimes());

        Assert.Equal((16 << 20) / 4096, ElfNotes.Read(path).Count);
    }

    [Fact]
    public void Duplicate_and_overlapping_segments_give_their_notes_once()
    {
        var entry = HostileElf.Corpus().Single(e => e.Name == "overlapping note segments");

        Assert.Single(ElfNotes.Read(Write("overlapping", entry.File)));
    }

    [Fact]
    public void A_core_with_a_lying_file_count_or_a_short_process_note_names_nothing_rather_than_garbage()
    {
        var huge = CoreNotes.Read(Write("count", HostileElf.CoreOf(HostileElf.Note("CORE", HostileElf.NtFile, HostileElf.MappedFiles(1UL << 62, "/app/crasher")))));
        var shortInfo = CoreNotes.Read(Write("short", HostileElf.CoreOf(HostileElf.Note("CORE", HostileElf.NtPrpsinfo, HostileElf.Prpsinfo("crasher", "x", 60)))));

        Assert.Empty(huge!.MappedFiles);
        Assert.Null(shortInfo!.Command);
    }

    [Fact]
    public void Random_mutations_of_honest_files_never_throw_and_stay_small_and_fast()
    {
        var bases = new[] { HostileElf.ProgramWithBuildId(), HostileElf.CoreWithNotes() };
        var path = Path.Join(_temp.Path, "mutated");
        var mutation = Gen.Select(Gen.Int[0, 1], Gen.Select(Gen.Int[0, 511], Gen.Byte).Array[1, 12], Gen.Int[0, 600]);

        mutation.Sample((which, changes, cut) =>
        {
            var bytes = bases[which].ToArray();
            foreach (var (at, value) in changes) bytes[at % bytes.Length] = value;
            File.WriteAllBytes(path, bytes[..Math.Min(cut, bytes.Length)]);
            var (_, allocated, took) = Measure(() => (ElfBuildId.Read(path), ElfNotes.Read(path).Count, CoreNotes.Read(path)?.MappedFiles.Count));
            return allocated < 256 << 10 && took < TimeSpan.FromSeconds(1);
        }, iter: 2000);
    }

    private static (T Result, long Allocated, TimeSpan Took) Measure<T>(Func<T> read)
    {
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        var result = read();
        return (result, GC.GetAllocatedBytesForCurrentThread() - allocated, clock.Elapsed);
    }

    private string Write(string name, byte[] bytes)
    {
        var path = Path.Join(_temp.Path, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }
}
