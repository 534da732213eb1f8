using System.Security.Cryptography;
using System.Text;

namespace CoreFileProfiler.Grains.Crashes;

/// <summary>
/// What makes two crashes one bug (docs/architecture.md, Crash reports): the executable's identity
/// and the names of the top in-program frames. Nothing that changes from run to run goes in: no
/// addresses, lines, pids or pods. Frames of the C library, the dynamic loader, the C++ runtime,
/// and the machinery of abort and signals are skipped, so an abort() looks like where it was called.
/// </summary>
public static class CrashSignature
{
    /// <summary>How many in-program frames make the signature.</summary>
    public const int Frames = 5;

    // Objects whose frames are never the program's bug.
    private static readonly string[] RuntimeModules = ["libc.so", "libc-", "libpthread", "ld-linux", "ld-", "linux-vdso", "linux-gate", "libgcc_s", "libstdc++"];
    private static readonly HashSet<string> RuntimeFunctions = new(StringComparer.Ordinal) { "raise", "gsignal", "abort", "_start", "__restore_rt", "<signal handler called>", "std::terminate()", "std::abort()" };
    private static readonly string[] RuntimePrefixes = ["__GI_", "__libc_", "__pthread_kill", "pthread_kill", "__assert", "__cxa_", "__cxxabiv1::", "__gnu_cxx::", "__sigaction", "__kernel_"];

    /// <summary>16 hex digits of SHA-256 over the identity (build-id, else path) and the top in-program frames.</summary>
    public static string Of(string? buildId, string? executable, IEnumerable<CrashFrame> frames)
    {
        var parts = new List<string> { buildId is { Length: > 0 } ? "build-id:" + buildId : "exe:" + executable };
        parts.AddRange(frames.Where(IsInProgram).Take(Frames).Select(Name));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', parts))))[..16];
    }

    /// <summary>A frame of the program's own code (or a library of its own), not of the runtime under it.</summary>
    public static bool IsInProgram(CrashFrame frame)
    {
        if (frame.Module is { } module && RuntimeModules.Any(prefix => module.StartsWith(prefix, StringComparison.Ordinal))) return false;
        if (frame.Function is not { } function) return frame.Module is not null;
        return !RuntimeFunctions.Contains(function) && !RuntimePrefixes.Any(prefix => function.StartsWith(prefix, StringComparison.Ordinal));
    }

    // A frame without symbols is known by where it is in its object: the same in every run, whatever the address layout.
    private static string Name(CrashFrame frame) =>
        frame.Function ?? $"{frame.Module}+0x{frame.Offset ?? 0:x}";
}
