namespace CoreFileProfiler.Node.Sandbox;

/// <summary><c>Profiler:Sandbox</c>: who a sandboxed gdb runs as, and what it may read besides its core.</summary>
public sealed class SandboxOptions
{
    /// <summary>
    /// The first of the uids sandboxed gdbs run as, one per terminal (its gid is the same number).
    /// Pick a range no workload on the node uses: a process of the same uid is one the sandbox
    /// could signal. The default, 0x70000000, is far above any distribution's or runtime's ranges.
    /// </summary>
    public int FirstUid { get; set; } = 0x7000_0000;

    /// <summary>How many uids the range holds: at most this many sandboxed terminals at once.</summary>
    public int UidCount { get; set; } = 65536;

    /// <summary>
    /// Memory one gdb may allocate (RLIMIT_DATA: its heap and private mappings, not the core and
    /// files it maps to read); past it gdb's allocations fail. Whoever holds a session can make gdb
    /// allocate (its Python), so one terminal must not be able to take the node's memory.
    /// </summary>
    public long MaxMemoryBytes { get; set; } = 4L << 30;

    /// <summary>CPU time one gdb may use (RLIMIT_CPU); then the kernel ends it. An idle gdb uses none.</summary>
    public int MaxCpuSeconds { get; set; } = 1800;

    /// <summary>Directories a sandboxed gdb may read source files from, for <c>list</c> (they must be world-readable).</summary>
    public List<string> SourceRoots { get; set; } = [];
}
