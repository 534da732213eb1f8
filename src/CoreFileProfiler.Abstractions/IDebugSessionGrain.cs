using Orleans.Concurrency;

namespace CoreFileProfiler;

/// <summary>
/// One per session (key: <c>&lt;node&gt;/&lt;sessionId&gt;</c>), living on the node's silo: owns the
/// session's target, its expiry timer and (later) its gdb terminals. Every call on an ended or
/// unknown session throws <see cref="ProfilerException"/> (Gone or NotFound).
/// </summary>
public interface IDebugSessionGrain : IGrainWithStringKey
{
    /// <summary>Called once by the node's profiler to bring the session to life.</summary>
    Task Start(SessionRequest request, DateTimeOffset createdAt, DateTimeOffset expiresAt);

    /// <summary>The session as it stands now; the target is re-read, so new cores appear.</summary>
    /// <remarks>Interleaved: it reads /proc or the store off the grain's turn and only reads the session's state.</remarks>
    [AlwaysInterleave]
    Task<SessionView> Describe();

    /// <summary>Resolves a listed file for download; anything the session does not list is NotFound.</summary>
    Task<DownloadableFile> GetFile(string path);

    /// <summary>
    /// A listed file's bytes from <paramref name="offset"/>, at most <paramref name="length"/> of them, in
    /// chunks: how a gateway on another node serves a download. A zstd core streams decompressed.
    /// </summary>
    IAsyncEnumerable<byte[]> ReadFile(string path, long offset, long length, CancellationToken cancellationToken = default);

    /// <summary>What the cluster views show; null once the session has ended.</summary>
    [AlwaysInterleave]
    Task<SessionSummary?> Summarize();

    /// <summary>Starts gdb on one of the session's files or processes; anything else is NotFound.</summary>
    /// <remarks>Interleaved: decompressing a large zstd core for gdb holds no other call of the session back.</remarks>
    [AlwaysInterleave]
    Task<TerminalInfo> OpenTerminal(TerminalRequest request);

    /// <remarks>Interleaved (it only reads): a terminal's page and WebSocket open while another terminal's core is decompressed.</remarks>
    [AlwaysInterleave]
    Task<TerminalInfo> GetTerminal(string terminalId);

    /// <summary>
    /// The terminal's output as a viewer sees it: the scrollback, then live output, until gdb
    /// exits or the session ends. Keep pulling: a consumer that pauses loses the stream.
    /// </summary>
    IAsyncEnumerable<byte[]> Watch(string terminalId, CancellationToken cancellationToken = default);

    /// <summary>
    /// The terminal's asciicast v2 recording as it stands (header line, then one event per line),
    /// in chunks; served while the session lives, also after gdb has exited.
    /// </summary>
    IAsyncEnumerable<byte[]> ReadRecording(string terminalId, CancellationToken cancellationToken = default);

    /// <summary>Types into the terminal (UTF-8 text; Ctrl-C is "\u0003").</summary>
    /// <remarks>Interleaved: a keystroke never waits behind a slow call such as a snapshot.</remarks>
    [AlwaysInterleave]
    Task SendInput(string terminalId, string data);

    [AlwaysInterleave]
    Task Resize(string terminalId, int cols, int rows);

    /// <summary>
    /// Starts gcore of one of the session's processes into the core store (it is stopped only while
    /// the core is written) and returns at once: gcore runs off the grain's turn, so the session keeps
    /// answering, and ending the session cancels it.
    /// </summary>
    /// <remarks>Interleaved: the pid is checked against /proc off the grain's turn.</remarks>
    [AlwaysInterleave]
    Task<SnapshotStatus> StartSnapshot(int pid);

    /// <summary>A snapshot's status, after waiting at most <paramref name="wait"/> for it to finish (keep it well under Orleans' response timeout).</summary>
    /// <remarks>Interleaved: a caller waiting on a snapshot holds no other call of the session back.</remarks>
    [AlwaysInterleave]
    Task<SnapshotStatus> GetSnapshot(string snapshotId, TimeSpan wait);

    /// <summary>Ends the session now.</summary>
    /// <remarks>Interleaved: ending cancels a decompression or a gcore under way instead of waiting for it.</remarks>
    [AlwaysInterleave]
    Task Close();
}
