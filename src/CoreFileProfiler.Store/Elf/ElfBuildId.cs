namespace CoreFileProfiler.Store.Elf;

/// <summary>The GNU build-id of a program: what ties a core to the exact binary.</summary>
public static class ElfBuildId
{
    /// <summary>The build-id note sits among a program's first few small notes: this much is plenty, and all a hostile file gets.</summary>
    public const long MaxNoteBytes = 64 << 10;

    private const uint NtGnuBuildId = 3;

    /// <summary>The build-id in lower-case hex, or null when the file has none or is not ELF.</summary>
    public static string? Read(string path) =>
        ElfNotes.Read(path, static (type, name) => type == NtGnuBuildId && name == "GNU", limit: 1, noteBytes: MaxNoteBytes) is [{ Description: { Length: > 0 } id }]
            ? Convert.ToHexStringLower(id)
            : null;
}
