using System.Buffers.Binary;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace CoreFileProfiler.Store.Elf;

/// <summary>
/// The notes (<c>PT_NOTE</c> segments) of a 64-bit little-endian ELF file: a core or a program.
/// The file may be hostile (a crashed tenant's executable, a core it shaped), so every size it
/// declares is checked against the file before anything is read or allocated, and the work is
/// bounded whatever it declares: at most <see cref="MaxProgramHeaders"/> program headers,
/// <see cref="MaxNoteSegments"/> distinct note segments and a byte budget across all of them.
/// </summary>
public static class ElfNotes
{
    /// <summary>Note bytes read across all segments by default: far more than any real core's notes.</summary>
    public const long MaxNoteBytes = 16 << 20;

    /// <summary>Program headers scanned: a core has one per mapping, and the kernel caps mappings near 65530.</summary>
    public const int MaxProgramHeaders = 1 << 16;

    /// <summary>Real files have one (cores) or a handful (programs).</summary>
    public const int MaxNoteSegments = 32;

    private const int ElfHeaderBytes = 64;
    private const int ProgramHeaderBytes = 56; // Elf64_Phdr
    private const int SectionHeaderBytes = 64; // Elf64_Shdr
    private const ushort CoreFile = 4;         // ET_CORE
    private const uint NoteSegment = 4;        // PT_NOTE
    private const ushort ExtendedCount = 0xffff; // PN_XNUM: the count is section header 0's sh_info
    private const int MaxNameBytes = 64;       // "CORE", "GNU", "LINUX": a longer name is no note we want
    private const int HeaderBytesPerRead = 4096;

    /// <summary>Every note of the file, or none when it is not such an ELF file (or, with <paramref name="coreOnly"/>, not a core).</summary>
    public static List<ElfNote> Read(string path, bool coreOnly = false) => Read(path, static (_, _) => true, coreOnly);

    /// <summary>
    /// The notes <paramref name="wanted"/> picks by type and owner name, in file order: at most
    /// <paramref name="limit"/> of them, from at most <paramref name="noteBytes"/> bytes of note
    /// segments. Notes not wanted are walked over, never copied.
    /// </summary>
    public static List<ElfNote> Read(string path, Func<uint, string, bool> wanted, bool coreOnly = false, int limit = int.MaxValue, long noteBytes = MaxNoteBytes)
    {
        var found = new List<ElfNote>();
        try
        {
            using var file = File.OpenHandle(path);
            var length = RandomAccess.GetLength(file);
            Span<byte> header = stackalloc byte[ElfHeaderBytes];
            if (!ReadAt(file, header, 0, length) || !header[..4].SequenceEqual("\u007fELF"u8) || header[4] != 2 || header[5] != 1) return found;
            if (coreOnly && BinaryPrimitives.ReadUInt16LittleEndian(header[16..]) != CoreFile) return found;

            var table = BinaryPrimitives.ReadUInt64LittleEndian(header[32..]);
            var entrySize = BinaryPrimitives.ReadUInt16LittleEndian(header[54..]);
            long count = BinaryPrimitives.ReadUInt16LittleEndian(header[56..]);
            if (count == ExtendedCount) count = ExtendedHeaderCount(file, header, length);
            if (entrySize < ProgramHeaderBytes || count <= 0 || table > (ulong)length || (ulong)(count * entrySize) > (ulong)length - table) return found;

            var read = new List<(long Start, long End)>();
            var budget = noteBytes;
            // Headers are read a page at a time; of an oversized entry only its first 56 bytes.
            var perRead = Math.Max(1, HeaderBytesPerRead / entrySize);
            var entries = new byte[(perRead - 1) * entrySize + ProgramHeaderBytes];
            var scanned = Math.Min(count, MaxProgramHeaders);
            for (long first = 0; first < scanned && found.Count < limit && budget > 0 && read.Count < MaxNoteSegments; first += perRead)
            {
                var batch = (int)Math.Min(perRead, scanned - first);
                var bytes = (batch - 1) * entrySize + ProgramHeaderBytes;
                if (RandomAccess.Read(file, entries.AsSpan(0, bytes), (long)table + first * entrySize) < bytes) break; // shrunk under us
                for (var i = 0; i < batch && found.Count < limit && budget > 0 && read.Count < MaxNoteSegments; i++)
                {
                    var entry = entries.AsSpan(i * entrySize, ProgramHeaderBytes);
                    if (BinaryPrimitives.ReadUInt32LittleEndian(entry) != NoteSegment) continue;
                    var offset = BinaryPrimitives.ReadUInt64LittleEndian(entry[8..]);
                    var size = BinaryPrimitives.ReadUInt64LittleEndian(entry[32..]);
                    if (offset >= (ulong)length) continue;
                    // What the file holds of it, within what is left to read: never what it merely declares.
                    var start = (long)offset;
                    var take = (int)Math.Min(Math.Min(size, (ulong)(length - start)), (ulong)budget);
                    if (take == 0 || read.Exists(r => start < r.End && r.Start < start + take)) continue;
                    read.Add((start, start + take));
                    budget -= take;
                    var segment = new byte[take];
                    Split(segment.AsSpan(0, RandomAccess.Read(file, segment, start)), wanted, limit, found);
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            // unreadable, not a seekable file, or changed under us: what was read so far is all there is
        }

        return found;
    }

    /// <summary>PN_XNUM: the real count is <c>sh_info</c> of section header 0, which must be in the file.</summary>
    private static long ExtendedHeaderCount(SafeFileHandle file, ReadOnlySpan<byte> header, long length)
    {
        var sections = BinaryPrimitives.ReadUInt64LittleEndian(header[40..]);
        var sectionEntrySize = BinaryPrimitives.ReadUInt16LittleEndian(header[58..]);
        Span<byte> first = stackalloc byte[SectionHeaderBytes];
        if (sections == 0 || sectionEntrySize < SectionHeaderBytes || sections > (ulong)(length - SectionHeaderBytes) || !ReadAt(file, first, (long)sections, length)) return 0;
        return BinaryPrimitives.ReadUInt32LittleEndian(first[44..]);
    }

    /// <summary>Reads exactly <paramref name="into"/> at <paramref name="offset"/>, when the file of <paramref name="length"/> bytes holds it all (also for <see cref="ElfDebugLink"/>).</summary>
    internal static bool ReadAt(SafeFileHandle file, Span<byte> into, long offset, long length) =>
        offset + into.Length <= length && RandomAccess.Read(file, into, offset) == into.Length;

    private static void Split(ReadOnlySpan<byte> segment, Func<uint, string, bool> wanted, int limit, List<ElfNote> found)
    {
        while (segment.Length >= 12 && found.Count < limit)
        {
            // Sizes are u32: as longs they cannot overflow, and each is checked against what is left.
            long nameSize = BinaryPrimitives.ReadUInt32LittleEndian(segment);
            long descriptionSize = BinaryPrimitives.ReadUInt32LittleEndian(segment[4..]);
            var descriptionStart = 12 + Align4(nameSize);
            var next = descriptionStart + Align4(descriptionSize);
            if (descriptionStart + descriptionSize > segment.Length) return;
            if (nameSize <= MaxNameBytes)
            {
                var type = BinaryPrimitives.ReadUInt32LittleEndian(segment[8..]);
                var name = Encoding.ASCII.GetString(segment.Slice(12, (int)nameSize)).TrimEnd('\0');
                if (wanted(type, name)) found.Add(new ElfNote(type, name, segment.Slice((int)descriptionStart, (int)descriptionSize).ToArray()));
            }

            segment = next >= segment.Length ? [] : segment[(int)next..];
        }
    }

    private static long Align4(long value) => (value + 3) & ~3L;
}
