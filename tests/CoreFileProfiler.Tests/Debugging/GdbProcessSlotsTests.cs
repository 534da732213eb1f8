using CoreFileProfiler.Node;
using CoreFileProfiler.Node.Debugging;
using Microsoft.Extensions.Options;

namespace CoreFileProfiler.Tests.Debugging;

public sealed class GdbProcessSlotsTests
{
    [Fact]
    public void Beyond_the_cap_a_start_is_refused_naming_the_setting_and_a_finished_process_frees_its_slot()
    {
        var slots = new GdbProcessSlots(Options.Create(new ProfilerOptions { MaxGdbProcesses = 2 }));
        var first = slots.Take();
        using var second = slots.Take();

        var refusal = Assert.Throws<LimitReachedException>(slots.Take);
        Assert.Contains("Profiler:MaxGdbProcesses", refusal.Message, StringComparison.Ordinal);
        Assert.Equal(2, slots.Taken);

        first.Dispose();
        first.Dispose(); // a slot is given back once, however often it is disposed
        Assert.Equal(1, slots.Taken);
        using var third = slots.Take();
        Assert.Throws<LimitReachedException>(slots.Take);
    }

    [Fact]
    public void Concurrent_starts_never_take_more_slots_than_the_cap()
    {
        var slots = new GdbProcessSlots(Options.Create(new ProfilerOptions { MaxGdbProcesses = 8 }));
        var taken = new System.Collections.Concurrent.ConcurrentBag<IDisposable>();

        Parallel.For(0, 1000, _ =>
        {
            try
            {
                taken.Add(slots.Take());
            }
            catch (LimitReachedException)
            {
                // refused, as it should be beyond the cap
            }
        });

        Assert.Equal(8, taken.Count);
        Assert.Equal(8, slots.Taken);
    }
}
