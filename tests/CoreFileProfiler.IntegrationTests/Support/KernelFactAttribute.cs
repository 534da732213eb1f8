namespace CoreFileProfiler.IntegrationTests.Support;

/// <summary>
/// A test that changes the host kernel's core_pattern: it runs only where CFP_KERNEL_TESTS=1
/// (./test.sh sets it) and is reported as skipped elsewhere, so a plain <c>dotnet test</c>
/// never changes somebody's machine.
/// </summary>
public sealed class KernelFactAttribute : FactAttribute
{
    public KernelFactAttribute()
    {
        if (Environment.GetEnvironmentVariable("CFP_KERNEL_TESTS") != "1") Skip = "changes kernel.core_pattern; run through ./test.sh (CFP_KERNEL_TESTS=1)";
    }
}
