using System.Buffers.Binary;
using System.Text;

namespace CoreFileProfiler.IntegrationTests.Support;

/// <summary>
/// The crafted program, for real: a static crasher that carries a 16 MiB note and whose
/// program header table, moved into that note's own bytes (still inside the first loaded segment,
/// so the program runs), has 64 more headers all pointing at the note segment. It crashes like
/// <see cref="CrashingProgram"/> and keeps its real GNU build-id.
/// </summary>
public static class CraftedExecutable
{
    public const int ExtraNoteHeaders = 64;

    private const string Source = """
        #include <stdio.h>

        /* Just under 16 MiB with the program's other notes: a reader capped per segment takes it whole, each time. */
        struct big_note { unsigned int namesz, descsz, type; char name[4]; unsigned char desc[(16 << 20) - 4096]; };
        __attribute__((used, section(".note.hostile"), aligned(4)))
        static const struct big_note hostile = { 4, (16 << 20) - 4096, 0x4242, "GNU", { 1 } };

        __attribute__((noinline)) void write_through_null(int *where, int value)
        {
            *where = value; /* the crash */
        }

        int main(void)
        {
            puts("crafted crasher");
            fflush(stdout);
            write_through_null((int *)0, 1);
            return 0;
        }
        """;

    private const int ProgramHeaderBytes = 56;
    private const uint NoteSegment = 4;

    public static async Task<string> BuildAsync(string directory)
    {
        var source = Path.Join(directory, "crafted.c");
        var executable = Path.Join(directory, "crafted");
        await File.WriteAllTextAsync(source, Source);
        var (code, output) = await Command.RunAsync("gcc", ["-static", "-g", "-O0", "-o", executable, source], directory);
        if (code != 0) throw new InvalidOperationException($"gcc failed: {output}");
        await File.WriteAllBytesAsync(executable, Craft(await File.ReadAllBytesAsync(executable)));
        return executable;
    }

    /// <summary>Moves the program header table into the big note's description and adds the headers.</summary>
    private static byte[] Craft(byte[] elf)
    {
        var span = elf.AsSpan();
        var table = (int)BinaryPrimitives.ReadUInt64LittleEndian(span[32..]);
        var count = BinaryPrimitives.ReadUInt16LittleEndian(span[56..]);
        var note = (int)SectionOffset(elf, ".note.hostile");
        var headers = span.Slice(table, count * ProgramHeaderBytes).ToArray();

        // The largest note segment is the one that holds the big note.
        var segment = Enumerable.Range(0, count)
            .Select(i => headers.AsSpan(i * ProgramHeaderBytes, ProgramHeaderBytes).ToArray())
            .Where(h => BinaryPrimitives.ReadUInt32LittleEndian(h) == NoteSegment)
            .MaxBy(h => BinaryPrimitives.ReadUInt64LittleEndian(h.AsSpan(32)))!;
        var moved = (note + 16 + 7) & ~7; // the description, 8-aligned
        headers.CopyTo(span[moved..]);
        for (var i = 0; i < ExtraNoteHeaders; i++) segment.CopyTo(span[(moved + (count + i) * ProgramHeaderBytes)..]);
        BinaryPrimitives.WriteUInt64LittleEndian(span[32..], (ulong)moved);
        BinaryPrimitives.WriteUInt16LittleEndian(span[56..], (ushort)(count + ExtraNoteHeaders));
        return elf;
    }

    private static ulong SectionOffset(byte[] elf, string name)
    {
        var span = elf.AsSpan();
        var sections = (int)BinaryPrimitives.ReadUInt64LittleEndian(span[40..]);
        var entrySize = BinaryPrimitives.ReadUInt16LittleEndian(span[58..]);
        var count = BinaryPrimitives.ReadUInt16LittleEndian(span[60..]);
        var names = (int)BinaryPrimitives.ReadUInt64LittleEndian(span[(sections + BinaryPrimitives.ReadUInt16LittleEndian(span[62..]) * entrySize + 24)..]);
        for (var i = 0; i < count; i++)
        {
            var entry = span.Slice(sections + i * entrySize, entrySize);
            var at = names + (int)BinaryPrimitives.ReadUInt32LittleEndian(entry);
            if (Encoding.ASCII.GetString(span[at..][..span[at..].IndexOf((byte)0)]) == name) return BinaryPrimitives.ReadUInt64LittleEndian(entry[24..]);
        }

        throw new InvalidOperationException($"gcc put no {name} section in the program");
    }
}
