using System.Runtime.InteropServices;

namespace CoreFileProfiler.Collector;

/// <summary>
/// Hard limits the collector puts on itself before it reads anything of a crash: whatever a
/// crafted core or executable makes it do, the kernel stops it at this address space and CPU
/// time. The parsers' own budgets keep an honest run far below both; these are the backstop.
/// </summary>
internal static partial class CollectorLimits
{
    private const int AddressSpace = 9; // RLIMIT_AS
    private const int CpuTime = 0;      // RLIMIT_CPU
    private const int MallocArenaMax = -8; // M_ARENA_MAX

    /// <summary>Sets both limits (soft and hard alike: nothing in the collector may raise them again); 0 leaves one unset.</summary>
    public static void Apply(CollectorSettings settings)
    {
        // glibc reserves 64 MiB of address space per thread arena, up to 8 per core: on a big node
        // the lookups' threads alone could reach the limit. One arena is plenty for a few threads.
        _ = SetMallocOption(MallocArenaMax, 1);
        if (settings.MaxAddressSpaceBytes > 0) Set(AddressSpace, (ulong)settings.MaxAddressSpaceBytes, nameof(settings.MaxAddressSpaceBytes));
        // The soft limit sends SIGXCPU, which ends the process; the hard one a second later SIGKILL.
        if (settings.MaxCpuSeconds > 0) Set(CpuTime, (ulong)settings.MaxCpuSeconds, nameof(settings.MaxCpuSeconds), (ulong)settings.MaxCpuSeconds + 1);
    }

    private static void Set(int resource, ulong soft, string setting, ulong? hard = null)
    {
        var limit = new ResourceLimit { Soft = soft, Hard = hard ?? soft };
        if (SetResourceLimit(resource, limit) != 0)
        {
            throw new IOException($"{setting}: setrlimit failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct ResourceLimit
    {
        public ulong Soft;
        public ulong Hard;
    }

    [LibraryImport("libc", EntryPoint = "mallopt")]
    private static partial int SetMallocOption(int option, int value);

    [LibraryImport("libc", EntryPoint = "setrlimit", SetLastError = true)]
    private static partial int SetResourceLimit(int resource, in ResourceLimit limit);
}
