using System.Buffers.Binary;

namespace CoreFileProfiler.Node.Debugging;

/// <summary>The GNU build-id of a 64-bit little-endian ELF file: what ties a core to the exact binary.</summary>
public static class ElfBuildId
{
    private const uint NtGnuBuildId = 3;
    private const int MaxNoteBytes = 1 << 16;

    /// <summary>The build-id in lower-case hex, or null when the file has none or is not ELF.</summary>
    public static string? Read(string path)
    {
        try
        {
            using var file = File.OpenRead(path);
            Span<byte> header = stackalloc byte[64];
            if (file.Read(header) < 64 || !header[..4].SequenceEqual("\u007fELF"u8) || header[4] != 2 || header[5] != 1) return null;
            var programHeaders = (long)BinaryPrimitives.ReadUInt64LittleEndian(header[32..]);
            var entrySize = BinaryPrimitives.ReadUInt16LittleEndian(header[54..]);
            var count = BinaryPrimitives.ReadUInt16LittleEndian(header[56..]);
            var entry = new byte[entrySize];
            for (var i = 0; i < count; i++)
            {
                file.Position = programHeaders + (long)i * entrySize;
                file.ReadExactly(entry);
                if (BinaryPrimitives.ReadUInt32LittleEndian(entry) != 4) continue; // PT_NOTE
                var notes = new byte[Math.Min((long)BinaryPrimitives.ReadUInt64LittleEndian(entry.AsSpan(32)), MaxNoteBytes)];
                file.Position = (long)BinaryPrimitives.ReadUInt64LittleEndian(entry.AsSpan(8));
                file.ReadExactly(notes);
                if (Find(notes) is { } id) return id;
            }

            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
        {
            return null;
        }
    }

    private static string? Find(ReadOnlySpan<byte> notes)
    {
        while (notes.Length >= 12)
        {
            var nameSize = (int)BinaryPrimitives.ReadUInt32LittleEndian(notes);
            var descriptionSize = (int)BinaryPrimitives.ReadUInt32LittleEndian(notes[4..]);
            var type = BinaryPrimitives.ReadUInt32LittleEndian(notes[8..]);
            var descriptionStart = 12 + ((nameSize + 3) & ~3);
            if (nameSize < 0 || descriptionSize < 0 || descriptionStart + descriptionSize > notes.Length) return null;
            if (type == NtGnuBuildId && notes.Slice(12, nameSize).StartsWith("GNU"u8))
            {
                return Convert.ToHexStringLower(notes.Slice(descriptionStart, descriptionSize));
            }

            notes = notes[(descriptionStart + ((descriptionSize + 3) & ~3))..];
        }

        return null;
    }
}
