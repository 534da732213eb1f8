namespace CoreFileProfiler.Node.Debugging;

/// <summary>One file mapping of a crashed process, as the core's <c>NT_FILE</c> note lists it.</summary>
/// <param name="Start">The mapping's first address.</param>
/// <param name="End">The address just past it.</param>
/// <param name="FileOffset">Where in the file the mapping starts, in bytes.</param>
/// <param name="Path">The mapped file, as the process saw it (inside its container).</param>
public sealed record CoreMapping(ulong Start, ulong End, ulong FileOffset, string Path);
