namespace CoreFileProfiler.Store.Elf;

/// <summary>One ELF note: its type, owner name ("CORE", "GNU") and contents.</summary>
public readonly record struct ElfNote(uint Type, string Name, byte[] Description);
