using System.Buffers.Binary;
using System.Text;
using CoreFileProfiler.Store.Elf;

namespace CoreFileProfiler.Node.Debugging;

/// <summary>
/// What an ELF core says about the process it came from: the command name and arguments
/// (<c>NT_PRPSINFO</c>) and the files it had mapped (<c>NT_FILE</c>), the first of which is
/// normally its executable, and where each was mapped. 64-bit little-endian cores (x86-64, arm64).
/// </summary>
public sealed record CoreNotes(string? Command, string? Arguments, IReadOnlyList<string> MappedFiles, IReadOnlyList<CoreMapping> Mappings)
{
    private const uint NtPrpsinfo = 3;
    private const uint NtFile = 0x46494c45;

    /// <summary>The path the kernel saw for the executable, best guess first; null when the core does not say.</summary>
    public string? Executable =>
        MappedFiles.FirstOrDefault(f => Command is { Length: > 0 } && Path.GetFileName(f).StartsWith(Command, StringComparison.Ordinal))
        ?? (MappedFiles.Count > 0 ? MappedFiles[0] : null);

    /// <summary>
    /// The mapped file <paramref name="address"/> is in, and the address's offset from where that
    /// file's lowest mapping puts the file's start (its load base): what names code without symbols,
    /// the same in every run whatever the address layout. Null when no mapping holds it.
    /// </summary>
    public (string Path, ulong Offset)? Locate(ulong address)
    {
        if (Mappings.FirstOrDefault(m => address >= m.Start && address < m.End) is not { } holder) return null;
        var lowest = Mappings.Where(m => m.Path == holder.Path).MinBy(m => m.Start)!;
        var loadBase = lowest.Start - Math.Min(lowest.FileOffset, lowest.Start);
        return (holder.Path, address - loadBase);
    }

    /// <summary>Reads the notes of an ELF core; null when the file is not one or names neither command nor files.</summary>
    public static CoreNotes? Read(string corePath)
    {
        var notes = ElfNotes.Read(corePath, static (type, name) => name == "CORE" && type is NtPrpsinfo or NtFile, coreOnly: true);
        if (notes.Count == 0) return null;

        string? command = null, arguments = null;
        var mapped = new List<string>();
        var mappings = new List<CoreMapping>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var note in notes)
        {
            if (note.Type == NtPrpsinfo && note.Description.Length >= 136)
            {
                command = CString(note.Description.AsSpan(40, 16));
                arguments = CString(note.Description.AsSpan(56, 80)).TrimEnd();
            }
            else if (note.Type == NtFile)
            {
                ReadMappedFiles(note.Description, mapped, mappings, seen);
            }
        }

        return new CoreNotes(command, arguments, mapped, mappings);
    }

    /// <summary>NT_FILE: count, page size, count × (start, end, offset), then count names.</summary>
    private static void ReadMappedFiles(ReadOnlySpan<byte> description, List<string> mapped, List<CoreMapping> mappings, HashSet<string> seen)
    {
        if (description.Length < 16) return;
        // count is a u64 the core chose: compared by division, so count * 24 cannot overflow.
        var count = BinaryPrimitives.ReadUInt64LittleEndian(description);
        if (count == 0 || count > (ulong)(description.Length - 16) / 24) return;
        var pageSize = BinaryPrimitives.ReadUInt64LittleEndian(description[8..]);
        var rest = description[(16 + (int)count * 24)..];
        for (var i = 0; i < (int)count && rest.Length > 0; i++)
        {
            var end = rest.IndexOf((byte)0);
            if (end < 0) end = rest.Length;
            var name = Encoding.UTF8.GetString(rest[..end]);
            if (seen.Add(name)) mapped.Add(name);
            var range = description.Slice(16 + (i * 24), 24);
            mappings.Add(new CoreMapping(
                BinaryPrimitives.ReadUInt64LittleEndian(range), BinaryPrimitives.ReadUInt64LittleEndian(range[8..]),
                unchecked(BinaryPrimitives.ReadUInt64LittleEndian(range[16..]) * pageSize), name));
            rest = end < rest.Length ? rest[(end + 1)..] : [];
        }
    }

    private static string CString(ReadOnlySpan<byte> bytes)
    {
        var end = bytes.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? bytes : bytes[..end]);
    }
}
