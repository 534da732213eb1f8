using Microsoft.Win32.SafeHandles;
using CoreFileProfiler.Collector;

// Run by the kernel once per crash, with the core on stdin; or by hand to install/uninstall.
return args switch
{
    ["install"] => CorePattern.Install(),
    ["uninstall"] => CorePattern.Uninstall(),
    _ => Collect(args),
};

static int Collect(string[] args)
{
    try
    {
        var settings = CollectorSettings.Load();
        // Before anything of the crash is read: no core or executable can take the collector past these.
        CollectorLimits.Apply(settings);
        using var core = Console.OpenStandardInput(bufferSize: 0);
        using var pipe = new SafeFileHandle(0, ownsHandle: false);
        using var watchdog = new CollectorWatchdog(settings, pipe);
        Console.WriteLine(new CoreCollector(settings, watchdog).Collect(Crash.Parse(args), core, pipe));
        return 0;
    }
    catch (Exception e) when (e is ArgumentException or IOException or UnauthorizedAccessException)
    {
        // The kernel discards what a pipe handler prints; the exit code is for people running it by hand.
        Console.Error.WriteLine($"core-collector: {e.Message}");
        return 1;
    }
}
