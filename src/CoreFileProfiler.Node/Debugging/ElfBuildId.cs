namespace CoreFileProfiler.Node.Debugging;

/// <summary>The GNU build-id of a program: what ties a core to the exact binary.</summary>
public static class ElfBuildId
{
    private const uint NtGnuBuildId = 3;

    /// <summary>The build-id in lower-case hex, or null when the file has none or is not ELF.</summary>
    public static string? Read(string path) =>
        ElfNotes.Read(path).FirstOrDefault(n => n.Type == NtGnuBuildId && n.Name == "GNU") is { Description: { Length: > 0 } id }
            ? Convert.ToHexStringLower(id)
            : null;
}
