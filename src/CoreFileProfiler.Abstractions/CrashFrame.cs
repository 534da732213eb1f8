namespace CoreFileProfiler;

/// <summary>One frame of a crashing thread, as gdb resolved it (null where it could not).</summary>
/// <param name="Function">The function's name, without arguments.</param>
/// <param name="File">The source file, as the debug info names it.</param>
/// <param name="Line">The line in <paramref name="File"/>.</param>
/// <param name="Module">The object the frame's code is in (the executable's or the shared library's file name).</param>
/// <param name="Offset">The frame's address relative to <paramref name="Module"/>'s load address: what a frame without symbols is known by.</param>
[GenerateSerializer, Immutable]
public sealed record CrashFrame(
    [property: Id(0)] string? Function,
    [property: Id(1)] string? File,
    [property: Id(2)] int? Line,
    [property: Id(3)] string? Module,
    [property: Id(4)] ulong? Offset = null);
