using System.Buffers.Binary;
using System.Text;

namespace CoreFileProfiler.Store.Elf;

/// <summary>
/// The <c>.gnu_debuglink</c> of a 64-bit little-endian ELF object: the file name of its separate debug
/// file (docs/architecture.md, Build-id store). The object may be hostile, so as in <see cref="ElfNotes"/>
/// every size it declares is checked against the file and the reading is bounded whatever it says.
/// </summary>
public static class ElfDebugLink
{
    /// <summary>Section headers looked through: real objects have a few dozen.</summary>
    public const int MaxSections = 4096;

    private const int ElfHeaderBytes = 64;
    private const int SectionHeaderBytes = 64; // Elf64_Shdr
    private const int MaxNamesBytes = 64 << 10; // the section names' table
    private const int MaxLinkBytes = 4096;      // a file name and its CRC
    private const string SectionName = ".gnu_debuglink";

    /// <summary>
    /// The debug file's name, or null when there is none, it is empty, or it is anything but a plain
    /// file name (a <c>/</c>, <c>.</c>, <c>..</c> or a control character): a name is only ever looked
    /// up beside its object and in the usual debug directories.
    /// </summary>
    public static string? Read(string path)
    {
        try
        {
            using var file = File.OpenHandle(path);
            var length = RandomAccess.GetLength(file);
            Span<byte> header = stackalloc byte[ElfHeaderBytes];
            if (!ElfNotes.ReadAt(file, header, 0, length) || !header[..4].SequenceEqual("\u007fELF"u8) || header[4] != 2 || header[5] != 1) return null;
            var table = BinaryPrimitives.ReadUInt64LittleEndian(header[40..]);
            var entrySize = BinaryPrimitives.ReadUInt16LittleEndian(header[58..]);
            var count = BinaryPrimitives.ReadUInt16LittleEndian(header[60..]);
            var namesIndex = BinaryPrimitives.ReadUInt16LittleEndian(header[62..]);
            if (entrySize < SectionHeaderBytes || count == 0 || count > MaxSections || namesIndex >= count) return null;
            if (table > (ulong)length || (ulong)count * entrySize > (ulong)length - table) return null;

            var sections = new byte[count * entrySize];
            if (!ElfNotes.ReadAt(file, sections, (long)table, length)) return null;
            var names = Contents(file, sections.AsSpan(namesIndex * entrySize, SectionHeaderBytes), length, MaxNamesBytes);
            if (names is null) return null;
            for (var i = 0; i < count; i++)
            {
                var section = sections.AsSpan(i * entrySize, SectionHeaderBytes);
                var nameOffset = BinaryPrimitives.ReadUInt32LittleEndian(section);
                if (nameOffset >= names.Length || CString(names.AsSpan((int)nameOffset)) != SectionName) continue;
                return Contents(file, section, length, MaxLinkBytes) is { } link && CString(link) is var name && IsPlainName(name) ? name : null;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            // unreadable or changed under us: no link
        }

        return null;
    }

    /// <summary>A file name the lookup may use: no directory part, nothing that walks, nothing a terminal would act on.</summary>
    public static bool IsPlainName(string name) =>
        name.Length is > 0 and <= 255 && name is not ("." or "..") && !name.Contains('/') && !name.Any(char.IsControl);

    /// <summary>A section's bytes, when it is all in the file and at most <paramref name="maxBytes"/>.</summary>
    private static byte[]? Contents(Microsoft.Win32.SafeHandles.SafeFileHandle file, ReadOnlySpan<byte> section, long length, int maxBytes)
    {
        var offset = BinaryPrimitives.ReadUInt64LittleEndian(section[24..]);
        var size = BinaryPrimitives.ReadUInt64LittleEndian(section[32..]);
        if (size == 0 || size > (ulong)maxBytes || offset > (ulong)length || size > (ulong)length - offset) return null;
        var bytes = new byte[size];
        return ElfNotes.ReadAt(file, bytes, (long)offset, length) ? bytes : null;
    }

    private static string CString(ReadOnlySpan<byte> bytes)
    {
        var end = bytes.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? bytes : bytes[..end]);
    }
}
