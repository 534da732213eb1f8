using System.Buffers.Binary;
using System.Text;
using CoreFileProfiler.Store.Elf;
using CoreFileProfiler.Tests.Support;

namespace CoreFileProfiler.Tests.Store.Elf;

/// <summary>
/// The section reader that tells an unstripped copy (it has <c>.debug_info</c>) from a stripped one, on hand-made
/// files: honest, truncated at every length, and declaring whatever a hostile file could.
/// </summary>
public sealed class ElfSectionsTests : IDisposable
{
    private const uint ProgBits = 1;
    private const uint StringTable = 3;
    private const uint NoBits = 8;
    private const int NamesAt = HostileElf.HeaderBytes;
    private static readonly byte[] Names = Encoding.ASCII.GetBytes("\0.shstrtab\0.debug_info\0.debug_infox\0");
    private static readonly int DebugInfoName = Array.IndexOf(Names, (byte)'.', 2);
    private static readonly int DebugInfoxName = Encoding.ASCII.GetString(Names).IndexOf(".debug_infox", StringComparison.Ordinal);
    private static readonly int DataAt = NamesAt + Names.Length;
    private const int DataBytes = 32;
    private static readonly int TableAt = (DataAt + DataBytes + 7) & ~7;

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void An_honest_file_has_its_debug_info_and_not_a_section_it_lacks()
    {
        var path = Write(Crafted());

        Assert.True(ElfSections.Has(path, ElfSections.DebugInfo));
        Assert.False(ElfSections.Has(path, ".debug_line"));
        Assert.False(ElfSections.Has(path, ".debug_inf")); // a prefix of a name is not the name
        // Entries larger than Elf64_Shdr are read by their first 64 bytes, as the ELF specification allows.
        Assert.True(ElfSections.Has(Write(Crafted(entrySize: 0xffff)), ElfSections.DebugInfo));
    }

    [Fact]
    public void A_debug_info_section_without_bytes_in_the_file_does_not_count()
    {
        Assert.False(ElfSections.Has(Write(Crafted(debugInfoType: NoBits)), ElfSections.DebugInfo));
        Assert.False(ElfSections.Has(Write(Crafted(debugInfoSize: 0)), ElfSections.DebugInfo));
        Assert.False(ElfSections.Has(Write(Crafted(debugInfoOffset: 1 << 20)), ElfSections.DebugInfo));
        Assert.False(ElfSections.Has(Write(Crafted(debugInfoSize: ulong.MaxValue)), ElfSections.DebugInfo));
    }

    [Fact]
    public void Every_truncation_is_read_without_failing_and_without_claiming_the_section()
    {
        var whole = Crafted();
        for (var length = 0; length < whole.Length; length++)
        {
            Assert.False(ElfSections.Has(Write(whole[..length]), ElfSections.DebugInfo), $"truncated to {length} bytes");
        }
    }

    public static TheoryData<string> Hostile => [.. HostileFiles().Keys];

    [Theory]
    [MemberData(nameof(Hostile))]
    public void A_hostile_declaration_is_refused_within_the_file(string name)
    {
        var path = Write(HostileFiles()[name]);

        Assert.False(ElfSections.Has(path, ElfSections.DebugInfo));
    }

    [Fact]
    public void A_huge_declared_section_count_reads_only_what_the_file_holds()
    {
        // Count 0 and section 0's sh_size of 2^32: the real count would be that, but only three headers are in the file.
        var file = Crafted(count: 0);
        BinaryPrimitives.WriteUInt64LittleEndian(file.AsSpan(TableAt + 32), uint.MaxValue + 1UL);

        Assert.True(ElfSections.Has(Write(file), ElfSections.DebugInfo));
    }

    [Fact]
    public void Not_an_elf_file_or_a_missing_one_has_no_sections()
    {
        Assert.False(ElfSections.Has(Write(Encoding.ASCII.GetBytes("#!/bin/sh\necho hi\n")), ElfSections.DebugInfo));
        Assert.False(ElfSections.Has(Path.Join(_temp.Path, "missing"), ElfSections.DebugInfo));
    }

    private static Dictionary<string, byte[]> HostileFiles()
    {
        var names = new Dictionary<string, byte[]>
        {
            ["table offset past the end"] = Crafted(tableOffset: ulong.MaxValue - 10),
            ["table offset just past the end"] = Crafted(tableOffset: (ulong)(TableAt + 3 * 64)),
            ["entry size smaller than a header"] = Crafted(entrySize: 32),
            ["name table index out of range"] = Crafted(namesIndex: 7),
            ["name table index extended, to a huge index"] = Crafted(namesIndex: 0xffff, extendedNamesIndex: uint.MaxValue),
            ["name table past the end"] = Crafted(namesOffset: 1 << 20),
            ["name table without bytes"] = Crafted(namesType: NoBits),
            ["name offsets past the name table"] = Crafted(debugInfoName: 1 << 20),
            ["only a longer name matches"] = Crafted(debugInfoName: DebugInfoxName),
        };
        // The name runs to the end of a table cut short of its terminator.
        names["name at the table's end without its terminator"] = Crafted(namesSize: (ulong)(DebugInfoName + ".debug_info".Length));
        return names;
    }

    /// <summary>ELF header, a name table, 32 bytes of "DWARF", then the section table: null, .shstrtab, .debug_info.</summary>
    private static byte[] Crafted(
        ulong? tableOffset = null, ushort entrySize = 64, ushort count = 3, ushort namesIndex = 1, uint extendedNamesIndex = 0,
        ulong namesOffset = NamesAt, ulong? namesSize = null, uint namesType = StringTable,
        int? debugInfoName = null, uint debugInfoType = ProgBits, ulong? debugInfoOffset = null, ulong debugInfoSize = DataBytes)
    {
        var table = (int)Math.Min(tableOffset ?? (ulong)TableAt, (ulong)TableAt);
        var file = new byte[TableAt + 3 * Math.Max((int)entrySize, 64)];
        HostileElf.Header(HostileElf.Executable, 0, HostileElf.ProgramHeaderBytes, 0, tableOffset ?? (ulong)TableAt, entrySize, count).CopyTo(file, 0);
        BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(62), namesIndex);
        Names.CopyTo(file, NamesAt);
        file.AsSpan(DataAt, DataBytes).Fill(0xd5);
        var stride = Math.Max((int)entrySize, 64);
        // Section 0: sh_size holds an extended count, sh_link an extended name table index.
        BinaryPrimitives.WriteUInt64LittleEndian(file.AsSpan(table + 32), count == 0 ? 3UL : 0);
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(table + 40), extendedNamesIndex);
        Section(file.AsSpan(table + stride), 1, namesType, namesOffset, namesSize ?? (ulong)Names.Length);
        Section(file.AsSpan(table + 2 * stride), (uint)(debugInfoName ?? DebugInfoName), debugInfoType, debugInfoOffset ?? (ulong)DataAt, debugInfoSize);
        return file;
    }

    private static void Section(Span<byte> entry, uint name, uint type, ulong offset, ulong size)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(entry, name);
        BinaryPrimitives.WriteUInt32LittleEndian(entry[4..], type);
        BinaryPrimitives.WriteUInt64LittleEndian(entry[24..], offset);
        BinaryPrimitives.WriteUInt64LittleEndian(entry[32..], size);
    }

    private string Write(byte[] bytes)
    {
        var path = Path.Join(_temp.Path, Guid.NewGuid().ToString("N"));
        File.WriteAllBytes(path, bytes);
        return path;
    }
}
