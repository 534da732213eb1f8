namespace CoreFileProfiler;

/// <summary>
/// What gdb said about a core in batch mode (docs/architecture.md, Crash reports), saved beside the
/// core as <c>&lt;core&gt;.report.json</c> and kept after the core itself is removed.
/// </summary>
/// <param name="Signal">The signal that killed the process.</param>
/// <param name="SignalName">Its name, e.g. <c>SIGSEGV</c>.</param>
/// <param name="FaultAddress">The faulting address (<c>0x…</c>) where the kernel gave one.</param>
/// <param name="Frames">The crashing thread's frames, innermost first.</param>
/// <param name="Threads">How many threads the process had.</param>
/// <param name="Summary">One line for people, e.g. <c>SIGSEGV in crash_here (crasher.c:7)</c>.</param>
/// <param name="Signature">Stable hash of the executable's identity and its top in-program frames (no addresses); groups crashes.</param>
/// <param name="Error">Why the report is incomplete (gdb timed out or failed), when it is.</param>
/// <param name="Created">When the report was made.</param>
[GenerateSerializer, Immutable]
public sealed record CrashReport(
    [property: Id(0)] int? Signal,
    [property: Id(1)] string? SignalName,
    [property: Id(2)] string? FaultAddress,
    [property: Id(3)] IReadOnlyList<CrashFrame> Frames,
    [property: Id(4)] int Threads,
    [property: Id(5)] string Summary,
    [property: Id(6)] string Signature,
    [property: Id(7)] string? Error,
    [property: Id(8)] DateTimeOffset Created);
