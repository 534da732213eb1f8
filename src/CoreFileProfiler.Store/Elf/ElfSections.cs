using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;

namespace CoreFileProfiler.Store.Elf;

/// <summary>
/// Which sections a 64-bit little-endian ELF file has, by name: enough to tell an executable that
/// carries its DWARF (<c>.debug_info</c>) from a stripped one (docs/architecture.md, Build-id store).
/// The file may be hostile, as for <see cref="ElfNotes"/>: the section table and its name table are
/// checked against the file before they are read, and at most <see cref="MaxSections"/> headers and
/// <see cref="MaxNameTableBytes"/> of names are read whatever the file declares.
/// </summary>
public static class ElfSections
{
    /// <summary>Real programs have a few dozen sections; a table longer than this is read this far only.</summary>
    public const int MaxSections = 4096;

    /// <summary>Section names of real programs take a few hundred bytes.</summary>
    public const int MaxNameTableBytes = 64 << 10;

    public const string DebugInfo = ".debug_info";

    private const int ElfHeaderBytes = 64;
    private const int SectionHeaderBytes = 64; // Elf64_Shdr
    private const uint NoBits = 8;             // SHT_NOBITS: declared, but no bytes in the file
    private const ushort ExtendedIndex = 0xffff; // SHN_XINDEX: the name table's index is section 0's sh_link

    /// <summary>Whether the open file has a section named <paramref name="name"/> whose bytes are in the file; false for anything that is not such an ELF file.</summary>
    public static bool Has(SafeFileHandle file, string name)
    {
        try
        {
            var length = RandomAccess.GetLength(file);
            Span<byte> header = stackalloc byte[ElfHeaderBytes];
            if (!ReadAt(file, header, 0, length) || !header[..4].SequenceEqual("\u007fELF"u8) || header[4] != 2 || header[5] != 1) return false;

            var table = BinaryPrimitives.ReadUInt64LittleEndian(header[40..]);
            var entrySize = BinaryPrimitives.ReadUInt16LittleEndian(header[58..]);
            long count = BinaryPrimitives.ReadUInt16LittleEndian(header[60..]);
            long namesIndex = BinaryPrimitives.ReadUInt16LittleEndian(header[62..]);
            if (table == 0 || entrySize < SectionHeaderBytes || table > (ulong)length) return false;

            Span<byte> entry = stackalloc byte[SectionHeaderBytes];
            if (count == 0 || namesIndex == ExtendedIndex)
            {
                // More than 0xff00 sections: the real numbers are in section 0.
                if (!ReadAt(file, entry, (long)table, length)) return false;
                if (count == 0) count = (long)Math.Min(BinaryPrimitives.ReadUInt64LittleEndian(entry[32..]), int.MaxValue);
                if (namesIndex == ExtendedIndex) namesIndex = BinaryPrimitives.ReadUInt32LittleEndian(entry[40..]);
            }

            // Only headers that are wholly in the file are read.
            count = Math.Min(Math.Min(count, MaxSections), ((long)((ulong)length - table) - SectionHeaderBytes) / entrySize + 1);
            if (count <= 0 || namesIndex >= count) return false;
            if (!ReadAt(file, entry, (long)table + namesIndex * entrySize, length)) return false;
            if (BinaryPrimitives.ReadUInt32LittleEndian(entry[4..]) == NoBits) return false;
            var namesOffset = BinaryPrimitives.ReadUInt64LittleEndian(entry[24..]);
            var namesSize = BinaryPrimitives.ReadUInt64LittleEndian(entry[32..]);
            if (namesOffset >= (ulong)length) return false;
            var names = new byte[(int)Math.Min(Math.Min(namesSize, (ulong)length - namesOffset), MaxNameTableBytes)];
            if (RandomAccess.Read(file, names, (long)namesOffset) < names.Length) return false;

            Span<byte> wanted = stackalloc byte[name.Length + 1];
            for (var i = 0; i < name.Length; i++) wanted[i] = (byte)name[i];
            wanted[^1] = 0; // the name ends where the table says it does
            for (long i = 0; i < count; i++)
            {
                if (!ReadAt(file, entry, (long)table + i * entrySize, length)) return false;
                var nameAt = BinaryPrimitives.ReadUInt32LittleEndian(entry);
                if (nameAt >= names.Length || !names.AsSpan((int)nameAt).StartsWith(wanted)) continue;
                var type = BinaryPrimitives.ReadUInt32LittleEndian(entry[4..]);
                var offset = BinaryPrimitives.ReadUInt64LittleEndian(entry[24..]);
                var size = BinaryPrimitives.ReadUInt64LittleEndian(entry[32..]);
                if (type != NoBits && size > 0 && offset <= (ulong)length && size <= (ulong)length - offset) return true;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            // unreadable or changed under us: not a file whose sections we know
        }

        return false;
    }

    /// <summary><see cref="Has(SafeFileHandle, string)"/> of the file at <paramref name="path"/>; false when it cannot be opened.</summary>
    public static bool Has(string path, string name)
    {
        try
        {
            using var file = File.OpenHandle(path);
            return Has(file, name);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static bool ReadAt(SafeFileHandle file, Span<byte> into, long offset, long length) =>
        offset >= 0 && offset <= length - into.Length && RandomAccess.Read(file, into, offset) == into.Length;
}
