using System.Buffers.Binary;
using System.Text;

namespace CoreFileProfiler.Tests.Support;

/// <summary>
/// Hand-made ELF64 files, honest and hostile: an ELF header, program headers and notes, written
/// byte by byte so a test can declare anything a crafted crash could. Linked into the integration
/// tests too, which run the same corpus through the collector and a session's terminal.
/// </summary>
public static class HostileElf
{
    public const ushort Core = 4;        // ET_CORE
    public const ushort Executable = 2;  // ET_EXEC
    public const uint NoteSegment = 4;   // PT_NOTE
    public const uint LoadSegment = 1;   // PT_LOAD
    public const uint NtGnuBuildId = 3;
    public const uint NtPrpsinfo = 3;
    public const uint NtFile = 0x46494c45;
    public const int HeaderBytes = 64;
    public const int ProgramHeaderBytes = 56;

    /// <summary>The build-id every honest file here carries.</summary>
    public static readonly byte[] BuildId = Convert.FromHexString("0123456789abcdef0123456789abcdef01234567");

    /// <summary>One program header: its type, where its bytes are and how many it declares.</summary>
    public readonly record struct Segment(uint Type, ulong Offset, ulong Size);

    /// <summary>An ELF header; the fields a hostile file bends are parameters.</summary>
    public static byte[] Header(ushort type, ulong programHeaders, ushort entrySize, ushort count, ulong sections = 0, ushort sectionEntrySize = 0, ushort sectionCount = 0)
    {
        var header = new byte[HeaderBytes];
        "\u007fELF"u8.CopyTo(header);
        header[4] = 2; // ELFCLASS64
        header[5] = 1; // little-endian
        header[6] = 1; // EV_CURRENT
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(16), type);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(18), 62); // x86-64
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(20), 1);
        BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(32), programHeaders);
        BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(40), sections);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(52), HeaderBytes);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(54), entrySize);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(56), count);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(58), sectionEntrySize);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(60), sectionCount);
        return header;
    }

    public static byte[] ProgramHeader(Segment segment, int entrySize = ProgramHeaderBytes)
    {
        var entry = new byte[entrySize];
        BinaryPrimitives.WriteUInt32LittleEndian(entry, segment.Type);
        BinaryPrimitives.WriteUInt32LittleEndian(entry.AsSpan(4), 4); // PF_R
        BinaryPrimitives.WriteUInt64LittleEndian(entry.AsSpan(8), segment.Offset);
        BinaryPrimitives.WriteUInt64LittleEndian(entry.AsSpan(32), segment.Size);
        BinaryPrimitives.WriteUInt64LittleEndian(entry.AsSpan(40), segment.Size);
        BinaryPrimitives.WriteUInt64LittleEndian(entry.AsSpan(48), 4);
        return entry;
    }

    /// <summary>Section header 0, whose <c>sh_info</c> carries the program header count under PN_XNUM.</summary>
    public static byte[] FirstSectionHeader(uint programHeaderCount)
    {
        var entry = new byte[64];
        BinaryPrimitives.WriteUInt32LittleEndian(entry.AsSpan(44), programHeaderCount);
        return entry;
    }

    /// <summary>A note as the kernel and linkers write it; <paramref name="nameSize"/>/<paramref name="descriptionSize"/> lie when given.</summary>
    public static byte[] Note(string name, uint type, ReadOnlySpan<byte> description, uint? nameSize = null, uint? descriptionSize = null)
    {
        var nameBytes = Encoding.ASCII.GetBytes(name + "\0");
        var note = new byte[12 + Align4(nameBytes.Length) + Align4(description.Length)];
        BinaryPrimitives.WriteUInt32LittleEndian(note, nameSize ?? (uint)nameBytes.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(note.AsSpan(4), descriptionSize ?? (uint)description.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(note.AsSpan(8), type);
        nameBytes.CopyTo(note, 12);
        description.CopyTo(note.AsSpan(12 + Align4(nameBytes.Length)));
        return note;
    }

    /// <summary>NT_PRPSINFO of x86-64 (136 bytes), or its first <paramref name="length"/> bytes.</summary>
    public static byte[] Prpsinfo(string command, string arguments, int length = 136)
    {
        var info = new byte[136];
        Encoding.ASCII.GetBytes(command).AsSpan(0, Math.Min(command.Length, 15)).CopyTo(info.AsSpan(40));
        Encoding.ASCII.GetBytes(arguments).AsSpan(0, Math.Min(arguments.Length, 79)).CopyTo(info.AsSpan(56));
        return info[..length];
    }

    /// <summary>NT_FILE: <paramref name="count"/> as declared, one (start, end, offset) per name, then the names.</summary>
    public static byte[] MappedFiles(ulong count, params string[] names)
    {
        var table = new byte[16 + names.Length * 24];
        BinaryPrimitives.WriteUInt64LittleEndian(table, count);
        BinaryPrimitives.WriteUInt64LittleEndian(table.AsSpan(8), 4096);
        return [.. table, .. names.SelectMany(n => Encoding.UTF8.GetBytes(n + "\0"))];
    }

    /// <summary>
    /// A file of the given type: the header, the program headers right after it, then
    /// <paramref name="body"/>. Segment offsets are relative to the body unless <paramref name="absolute"/>.
    /// </summary>
    public static byte[] File(ushort type, IReadOnlyList<Segment> segments, byte[] body, bool absolute = false)
    {
        var bodyStart = (ulong)(HeaderBytes + segments.Count * ProgramHeaderBytes);
        var header = Header(type, HeaderBytes, ProgramHeaderBytes, (ushort)segments.Count);
        var headers = segments.SelectMany(s => ProgramHeader(absolute ? s : s with { Offset = s.Offset + bodyStart }));
        return [.. header, .. headers, .. body];
    }

    /// <summary>A program whose only note segment holds its build-id: what every honest executable has.</summary>
    public static byte[] ProgramWithBuildId()
    {
        var notes = Note("GNU", NtGnuBuildId, BuildId);
        return File(Executable, [new(NoteSegment, 0, (ulong)notes.Length)], notes);
    }

    /// <summary>A core with a command (NT_PRPSINFO) and two mapped files (NT_FILE), the first its executable.</summary>
    public static byte[] CoreWithNotes()
    {
        byte[] notes = [.. Note("CORE", NtPrpsinfo, Prpsinfo("crasher", "crasher test")), .. Note("CORE", NtFile, MappedFiles(2, "/app/crasher", "/lib/libc.so.6"))];
        return File(Core, [new(NoteSegment, 0, (ulong)notes.Length)], notes);
    }

    /// <summary>
    /// The hostile corpus: each entry a name, the file, and whether a build-id (<see cref="BuildId"/>)
    /// can honestly be found in it. Big entries are built when enumerated, one at a time.
    /// </summary>
    public static IEnumerable<(string Name, byte[] File, bool HasBuildId)> Corpus()
    {
        var buildIdNote = Note("GNU", NtGnuBuildId, BuildId);
        var honest = ProgramWithBuildId();
        yield return ("header only", honest[..HeaderBytes], false);
        yield return ("cut mid program header", honest[..(HeaderBytes + 30)], false);
        yield return ("cut mid note", honest[..^8], false);
        yield return ("phnum 0", [.. Header(Executable, HeaderBytes, ProgramHeaderBytes, 0), .. buildIdNote], false);
        yield return ("phnum 65535 without a section header", [.. Header(Executable, HeaderBytes, ProgramHeaderBytes, 0xffff), .. ProgramHeader(new(NoteSegment, 120, (ulong)buildIdNote.Length)), .. buildIdNote], false);
        yield return ("phnum 65535 with sh_info 2^32-1", XnumFile(uint.MaxValue, buildIdNote), false);
        yield return ("phnum 65535 with a valid section header", XnumFile(1, buildIdNote), true);
        foreach (ushort size in new ushort[] { 0, 1, 55 })
        {
            yield return ($"phentsize {size}", [.. Header(Executable, HeaderBytes, size, 1), .. ProgramHeader(new(NoteSegment, 120, (ulong)buildIdNote.Length)), .. buildIdNote], false);
        }

        yield return ("phentsize 65535, table past the end", [.. Header(Executable, HeaderBytes, 0xffff, 2), .. ProgramHeader(new(NoteSegment, 120, (ulong)buildIdNote.Length)), .. buildIdNote], false);
        yield return ("phentsize 65535, one oversized entry", [.. Header(Executable, HeaderBytes, 0xffff, 1), .. ProgramHeader(new(NoteSegment, 64 + 0xffff, (ulong)buildIdNote.Length), 0xffff), .. buildIdNote], true);
        yield return ("phoff past the end", [.. Header(Executable, ulong.MaxValue - 8, ProgramHeaderBytes, 1), .. buildIdNote], false);
        yield return ("note segment past the end", File(Executable, [new(NoteSegment, 1UL << 40, 64)], buildIdNote), false);
        yield return ("note segment running past the end", File(Executable, [new(NoteSegment, 0, 1 << 20)], buildIdNote), true);
        yield return ("descsz past the end", File(Executable, [new(NoteSegment, 0, (ulong)buildIdNote.Length)], Note("GNU", NtGnuBuildId, BuildId, descriptionSize: 1 << 30)), false);
        yield return ("namesz 2^32-1", File(Executable, [new(NoteSegment, 0, 64)], [.. Note("GNU", NtGnuBuildId, BuildId, nameSize: uint.MaxValue), .. new byte[28]]), false);
        yield return ("descsz 2^32-1", File(Executable, [new(NoteSegment, 0, 64)], [.. Note("GNU", NtGnuBuildId, BuildId, descriptionSize: uint.MaxValue), .. new byte[28]]), false);
        yield return ("a 4 GiB declared note segment", File(Executable, [new(NoteSegment, 0, 4UL << 30)], buildIdNote), true);
        yield return ("duplicate note segments", File(Executable, [.. Enumerable.Repeat(new Segment(NoteSegment, 0, (ulong)buildIdNote.Length), 8)], buildIdNote), true);
        yield return ("overlapping note segments", File(Executable, [new(NoteSegment, 0, (ulong)buildIdNote.Length), new(NoteSegment, 4, (ulong)buildIdNote.Length - 4), new(NoteSegment, 12, 24)], buildIdNote), true);
        yield return ("64 program headers on one 16 MiB note segment", SixteenMiBNoteSixtyFourTimes(), false);
        yield return ("NT_FILE count 2^62", CoreOf(Note("CORE", NtFile, MappedFiles(1UL << 62, "/app/crasher"))), false);
        yield return ("NT_FILE count 2^64-1", CoreOf(Note("CORE", NtFile, MappedFiles(ulong.MaxValue, "/app/crasher"))), false);
        yield return ("short NT_PRPSINFO", CoreOf(Note("CORE", NtPrpsinfo, Prpsinfo("crasher", "crasher test", 60))), false);
    }

    /// <summary>The case: 64 program headers all pointing at one 16 MiB note segment of junk notes.</summary>
    public static byte[] SixteenMiBNoteSixtyFourTimes()
    {
        const int segmentBytes = 16 << 20;
        var junk = Note("GNU", 0x4242, new byte[4096 - 16]);
        var segment = new byte[segmentBytes];
        for (var at = 0; at + junk.Length <= segmentBytes; at += junk.Length) junk.CopyTo(segment, at);
        return File(Executable, [.. Enumerable.Repeat(new Segment(NoteSegment, 0, segmentBytes), 64)], segment);
    }

    /// <summary>The file with its type set to ET_CORE where it has one, so the core readers (and gdb) take it for a core.</summary>
    public static byte[] AsCore(byte[] file)
    {
        var core = file.ToArray();
        if (core.Length >= 18) BinaryPrimitives.WriteUInt16LittleEndian(core.AsSpan(16), Core);
        return core;
    }

    /// <summary>A core whose one note segment holds <paramref name="notes"/>.</summary>
    public static byte[] CoreOf(byte[] notes) => File(Core, [new(NoteSegment, 0, (ulong)notes.Length)], notes);

    /// <summary>PN_XNUM: e_phnum 0xffff, the count in section header 0's sh_info; one real note segment follows.</summary>
    private static byte[] XnumFile(uint declaredCount, byte[] notes)
    {
        const int sectionsAt = HeaderBytes + ProgramHeaderBytes;
        var notesAt = (ulong)(sectionsAt + 64);
        return [.. Header(Executable, HeaderBytes, ProgramHeaderBytes, 0xffff, sectionsAt, 64, 0), .. ProgramHeader(new(NoteSegment, notesAt, (ulong)notes.Length)), .. FirstSectionHeader(declaredCount), .. notes];
    }

    private static int Align4(int value) => (value + 3) & ~3;
}
