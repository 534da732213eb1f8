namespace CoreFileProfiler.Grains.Crashes;

/// <summary>Linux's signal names (the numbers x86-64 and arm64 share).</summary>
public static class SignalNames
{
    private static readonly string[] Names =
    [
        "", "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS", "SIGFPE", "SIGKILL", "SIGUSR1", "SIGSEGV",
        "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT", "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU",
        "SIGURG", "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS",
    ];

    /// <summary><c>SIGSEGV</c> for 11; null for a number that names no signal.</summary>
    public static string? Of(int? signal) => signal is > 0 and < 32 ? Names[signal.Value] : null;

    /// <summary>The signals whose <c>siginfo</c> carries the faulting address.</summary>
    public static bool HasFaultAddress(int? signal) => signal is 4 or 7 or 8 or 11; // SIGILL, SIGBUS, SIGFPE, SIGSEGV
}
