using System.Buffers.Binary;
using System.Text;

namespace CoreFileProfiler.Node.Debugging;

/// <summary>One ELF note: its type, owner name ("CORE", "GNU") and contents.</summary>
public readonly record struct ElfNote(uint Type, string Name, byte[] Description);

/// <summary>The notes (<c>PT_NOTE</c> segments) of a 64-bit little-endian ELF file: a core or a program.</summary>
public static class ElfNotes
{
    private const ushort CoreFile = 4; // ET_CORE
    private const uint NoteSegment = 4; // PT_NOTE
    private const int MaxSegmentBytes = 16 << 20;

    /// <summary>Every note of the file, or none when it is not such an ELF file (or, with <paramref name="coreOnly"/>, not a core).</summary>
    public static List<ElfNote> Read(string path, bool coreOnly = false)
    {
        var found = new List<ElfNote>();
        try
        {
            using var file = File.OpenRead(path);
            Span<byte> header = stackalloc byte[64];
            if (file.Read(header) < 64 || !header[..4].SequenceEqual("\u007fELF"u8) || header[4] != 2 || header[5] != 1) return found;
            if (coreOnly && BinaryPrimitives.ReadUInt16LittleEndian(header[16..]) != CoreFile) return found;

            var programHeaders = (long)BinaryPrimitives.ReadUInt64LittleEndian(header[32..]);
            var entrySize = BinaryPrimitives.ReadUInt16LittleEndian(header[54..]);
            var count = BinaryPrimitives.ReadUInt16LittleEndian(header[56..]);
            var entry = new byte[entrySize];
            for (var i = 0; i < count; i++)
            {
                file.Position = programHeaders + (long)i * entrySize;
                file.ReadExactly(entry);
                if (BinaryPrimitives.ReadUInt32LittleEndian(entry) != NoteSegment) continue;
                var segment = new byte[Math.Min((long)BinaryPrimitives.ReadUInt64LittleEndian(entry.AsSpan(32)), MaxSegmentBytes)];
                file.Position = (long)BinaryPrimitives.ReadUInt64LittleEndian(entry.AsSpan(8));
                file.ReadExactly(segment);
                Split(segment, found);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            // truncated or unreadable: what was read so far is all there is
        }

        return found;
    }

    private static void Split(ReadOnlySpan<byte> segment, List<ElfNote> found)
    {
        while (segment.Length >= 12)
        {
            var nameSize = (int)BinaryPrimitives.ReadUInt32LittleEndian(segment);
            var descriptionSize = (int)BinaryPrimitives.ReadUInt32LittleEndian(segment[4..]);
            var descriptionStart = 12 + Align4(nameSize);
            if (nameSize < 0 || descriptionSize < 0 || descriptionStart + descriptionSize > segment.Length) return;
            var name = Encoding.ASCII.GetString(segment.Slice(12, nameSize)).TrimEnd('\0');
            found.Add(new ElfNote(BinaryPrimitives.ReadUInt32LittleEndian(segment[8..]), name, segment.Slice(descriptionStart, descriptionSize).ToArray()));
            segment = segment[(descriptionStart + Align4(descriptionSize))..];
        }
    }

    private static int Align4(int value) => (value + 3) & ~3;
}
