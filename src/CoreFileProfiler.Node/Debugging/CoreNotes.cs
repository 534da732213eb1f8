using System.Buffers.Binary;
using System.Text;
using CoreFileProfiler.Store.Elf;

namespace CoreFileProfiler.Node.Debugging;

/// <summary>
/// What an ELF core says about the process it came from: the command name and arguments
/// (<c>NT_PRPSINFO</c>) and the files it had mapped (<c>NT_FILE</c>), the first of which is
/// normally its executable. 64-bit little-endian cores (x86-64, arm64).
/// </summary>
public sealed record CoreNotes(string? Command, string? Arguments, IReadOnlyList<string> MappedFiles)
{
    private const uint NtPrpsinfo = 3;
    private const uint NtFile = 0x46494c45;

    /// <summary>The path the kernel saw for the executable, best guess first; null when the core does not say.</summary>
    public string? Executable =>
        MappedFiles.FirstOrDefault(f => Command is { Length: > 0 } && Path.GetFileName(f).StartsWith(Command, StringComparison.Ordinal))
        ?? (MappedFiles.Count > 0 ? MappedFiles[0] : null);

    /// <summary>Reads the notes of an ELF core; null when the file is not one or names neither command nor files.</summary>
    public static CoreNotes? Read(string corePath)
    {
        var notes = ElfNotes.Read(corePath, static (type, name) => name == "CORE" && type is NtPrpsinfo or NtFile, coreOnly: true);
        if (notes.Count == 0) return null;

        string? command = null, arguments = null;
        var mapped = new List<string>();
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
                ReadMappedFiles(note.Description, mapped, seen);
            }
        }

        return new CoreNotes(command, arguments, mapped);
    }

    /// <summary>NT_FILE: count, page size, count × (start, end, offset), then count names.</summary>
    private static void ReadMappedFiles(ReadOnlySpan<byte> description, List<string> mapped, HashSet<string> seen)
    {
        if (description.Length < 16) return;
        // count is a u64 the core chose: compared by division, so count * 24 cannot overflow.
        var count = BinaryPrimitives.ReadUInt64LittleEndian(description);
        if (count == 0 || count > (ulong)(description.Length - 16) / 24) return;
        var rest = description[(16 + (int)count * 24)..];
        for (var i = 0UL; i < count && rest.Length > 0; i++)
        {
            var end = rest.IndexOf((byte)0);
            if (end < 0) end = rest.Length;
            var name = Encoding.UTF8.GetString(rest[..end]);
            if (seen.Add(name)) mapped.Add(name);
            rest = end < rest.Length ? rest[(end + 1)..] : [];
        }
    }

    private static string CString(ReadOnlySpan<byte> bytes)
    {
        var end = bytes.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? bytes : bytes[..end]);
    }
}
