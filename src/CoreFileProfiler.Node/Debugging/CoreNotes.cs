using System.Buffers.Binary;
using System.Text;

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
    private const int MaxNotesBytes = 16 << 20;

    /// <summary>The path the kernel saw for the executable, best guess first; null when the core does not say.</summary>
    public string? Executable =>
        MappedFiles.FirstOrDefault(f => Command is { Length: > 0 } && Path.GetFileName(f).StartsWith(Command, StringComparison.Ordinal))
        ?? (MappedFiles.Count > 0 ? MappedFiles[0] : null);

    /// <summary>Reads the notes of an ELF core; null when the file is not one.</summary>
    public static CoreNotes? Read(string corePath)
    {
        try
        {
            using var file = File.OpenRead(corePath);
            Span<byte> header = stackalloc byte[64];
            if (file.Read(header) < 64 || !header[..4].SequenceEqual("\u007fELF"u8) || header[4] != 2 || header[5] != 1) return null;
            if (BinaryPrimitives.ReadUInt16LittleEndian(header[16..]) != 4) return null; // ET_CORE

            var programHeaders = (long)BinaryPrimitives.ReadUInt64LittleEndian(header[32..]);
            var entrySize = BinaryPrimitives.ReadUInt16LittleEndian(header[54..]);
            var count = BinaryPrimitives.ReadUInt16LittleEndian(header[56..]);
            string? command = null, arguments = null;
            var mapped = new List<string>();
            var entry = new byte[entrySize];
            for (var i = 0; i < count; i++)
            {
                file.Position = programHeaders + (long)i * entrySize;
                file.ReadExactly(entry);
                if (BinaryPrimitives.ReadUInt32LittleEndian(entry) != 4) continue; // PT_NOTE
                var offset = (long)BinaryPrimitives.ReadUInt64LittleEndian(entry.AsSpan(8));
                var size = (long)BinaryPrimitives.ReadUInt64LittleEndian(entry.AsSpan(32));
                var notes = new byte[Math.Min(size, MaxNotesBytes)];
                file.Position = offset;
                file.ReadExactly(notes);
                ReadNotes(notes, ref command, ref arguments, mapped);
            }

            return new CoreNotes(command, arguments, mapped);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null; // truncated or unreadable: nothing to learn from it
        }
    }

    private static void ReadNotes(ReadOnlySpan<byte> notes, ref string? command, ref string? arguments, List<string> mapped)
    {
        while (notes.Length >= 12)
        {
            var nameSize = (int)BinaryPrimitives.ReadUInt32LittleEndian(notes);
            var descriptionSize = (int)BinaryPrimitives.ReadUInt32LittleEndian(notes[4..]);
            var type = BinaryPrimitives.ReadUInt32LittleEndian(notes[8..]);
            var descriptionStart = 12 + Align4(nameSize);
            if (nameSize < 0 || descriptionSize < 0 || descriptionStart + descriptionSize > notes.Length) return;
            var description = notes.Slice(descriptionStart, descriptionSize);
            if (type == NtPrpsinfo && description.Length >= 136)
            {
                command = CString(description.Slice(40, 16));
                arguments = CString(description.Slice(56, 80)).TrimEnd();
            }
            else if (type == NtFile)
            {
                ReadMappedFiles(description, mapped);
            }

            notes = notes[(descriptionStart + Align4(descriptionSize))..];
        }
    }

    /// <summary>NT_FILE: count, page size, count × (start, end, offset), then count names.</summary>
    private static void ReadMappedFiles(ReadOnlySpan<byte> description, List<string> mapped)
    {
        if (description.Length < 16) return;
        var count = (long)BinaryPrimitives.ReadUInt64LittleEndian(description);
        var names = 16 + count * 24;
        if (count <= 0 || names > description.Length) return;
        var rest = description[(int)names..];
        for (var i = 0; i < count && rest.Length > 0; i++)
        {
            var end = rest.IndexOf((byte)0);
            if (end < 0) end = rest.Length;
            var name = Encoding.UTF8.GetString(rest[..end]);
            if (!mapped.Contains(name)) mapped.Add(name);
            rest = end < rest.Length ? rest[(end + 1)..] : [];
        }
    }

    private static string CString(ReadOnlySpan<byte> bytes)
    {
        var end = bytes.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? bytes : bytes[..end]);
    }

    private static int Align4(int value) => (value + 3) & ~3;
}
