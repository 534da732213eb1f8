using CoreFileProfiler.Node.Sandbox;
using CoreFileProfiler.Node.Terminals;

namespace CoreFileProfiler.Node;

/// <summary>The <c>Profiler</c> configuration section (README, Configuration).</summary>
public sealed class ProfilerOptions
{
    public const string Section = "Profiler";

    /// <summary>This silo's node; defaults to env NODE_NAME, else the host name.</summary>
    public string NodeName { get; set; } = "";

    public string CoreRoot { get; set; } = "/var/lib/kubediag/corefile";

    /// <summary>Roots a processor <c>filepath</c> may point into; empty means just <see cref="CoreRoot"/>.</summary>
    public List<string> AllowedPaths { get; set; } = [];

    /// <summary>Base of returned endpoint URLs; unset means <c>http://&lt;NodeName&gt;:&lt;port&gt;</c>.</summary>
    public string? PublicBaseUrl { get; set; }

    public int MaxExpirationSeconds { get; set; } = 86400;

    public int MaxSessions { get; set; } = 64;

    public string DockerEndpoint { get; set; } = "unix:///var/run/docker.sock";

    public string ProcRoot { get; set; } = "/proc";

    public string LogRoot { get; set; } = "/var/log";

    public string Gdb { get; set; } = "gdb";

    /// <summary>
    /// A core-collector executable to install as the kernel's core_pattern when the silo starts
    /// (the DaemonSet's switch); unset, the silo never changes the host.
    /// </summary>
    public string? CollectorPath { get; set; }

    /// <summary>Retention: the newest this many cores of each container are kept.</summary>
    public int MaxCoresPerContainer { get; set; } = 10;

    /// <summary>Retention: beyond this many bytes in the core store, the oldest cores go first.</summary>
    public long MaxCoreStoreBytes { get; set; } = 20L << 30;

    /// <summary>Viewers one terminal admits at once, read-only watchers too; further ones are refused.</summary>
    public int MaxViewersPerTerminal { get; set; } = 32;

    /// <summary>Output waiting for one viewer (the scrollback is 1 MiB); a viewer further behind is disconnected.</summary>
    public long MaxViewerBacklogBytes { get; set; } = 4 << 20;

    /// <summary>Input waiting for a terminal's program to read it; while it is full, viewers' sockets are not read.</summary>
    public long MaxTerminalInputBytes { get; set; } = 256 << 10;

    /// <summary>How long a viewer's input may wait for room in that queue before the viewer is disconnected.</summary>
    public int TerminalInputWaitSeconds { get; set; } = 10;

    /// <summary>gdb and gcore processes the node runs at once: terminals and snapshots.</summary>
    public int MaxGdbProcesses { get; set; } = 32;

    /// <summary>The largest processor body (the agent sends up to 2 MiB); Kestrel refuses any body over twice this unread.</summary>
    public long MaxRequestBodyBytes { get; set; } = 4 << 20;

    /// <summary>How long a processor body may take to arrive in full; a body slower than Kestrel's minimum rate is cut off sooner.</summary>
    public int RequestBodyTimeoutSeconds { get; set; } = 10;

    /// <summary>How long a request's headers may take to arrive.</summary>
    public int RequestHeadersTimeoutSeconds { get; set; } = 10;
    /// <summary>
    /// Free space that snapshots and gdb's decompressed cores never take from the store's
    /// filesystem: bytes (<c>2GiB</c>, <c>2147483648</c>) or a percentage of it (<c>5%</c>); see <see cref="Cores.FreeSpaceFloor"/>.
    /// </summary>
    public string MinFreeSpace { get; set; } = "2GiB";

    /// <summary>Crash reports: full cores kept per (namespace, container, crash signature), the first and the newest; later crashes keep their report and count.</summary>
    public int CoresPerSignature { get; set; } = 3;

    /// <summary>Crash reports: how long gdb may take over one core before it is killed and the report says so.</summary>
    public double CrashReportTimeoutSeconds { get; set; } = 30;

    /// <summary>How gdb on a core is confined.</summary>
    public SandboxOptions Sandbox { get; set; } = new();

    public TerminalLimits TerminalLimits =>
        new(MaxViewersPerTerminal, MaxViewerBacklogBytes, MaxTerminalInputBytes, TimeSpan.FromSeconds(TerminalInputWaitSeconds));

    public IEnumerable<string> EffectiveAllowedPaths => AllowedPaths.Count > 0 ? AllowedPaths : [CoreRoot];
}
