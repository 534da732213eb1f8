using CoreFileProfiler.Silo.Notifications;
using CoreFileProfiler.Tests.Support;
using CsCheck;
using Microsoft.Extensions.Time.Testing;

namespace CoreFileProfiler.Tests.Notifications;

public sealed class CrashEventThrottleTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));
    private readonly List<CrashNotice> _announced = [];

    private CrashEventThrottle Throttle() => new(_time, _announced.Add);

    [Fact]
    public void A_new_group_is_announced_at_once()
    {
        using var throttle = Throttle();

        throttle.Filed("node-a", SampleCrashGroups.Of("sig-a", 1), newGroup: true);

        var notice = Assert.Single(_announced);
        Assert.Equal(("node-a", 1L, 1L), (notice.Node, notice.Group.Count, notice.CountSinceLastEvent));
    }

    [Fact]
    public void Twelve_more_crashes_within_the_minute_are_one_event_when_the_minute_is_up_with_their_count()
    {
        using var throttle = Throttle();
        throttle.Filed("node-a", SampleCrashGroups.Of("sig-a", 1), newGroup: true);

        for (var count = 2; count <= 13; count++)
        {
            _time.Advance(TimeSpan.FromSeconds(4));
            throttle.Filed("node-a", SampleCrashGroups.Of("sig-a", count), newGroup: false);
        }

        Assert.Single(_announced); // 48 s in: nothing more yet
        _time.Advance(TimeSpan.FromSeconds(11));
        Assert.Single(_announced);
        _time.Advance(TimeSpan.FromSeconds(1)); // the minute is up: a timer, no further crash needed
        Assert.Equal(2, _announced.Count);
        Assert.Equal((13L, 12L), (_announced[1].Group.Count, _announced[1].CountSinceLastEvent));

        _time.Advance(TimeSpan.FromMinutes(5)); // nothing more happened: nothing more is sent
        Assert.Equal(2, _announced.Count);
        throttle.Filed("node-a", SampleCrashGroups.Of("sig-a", 14), newGroup: false); // a quiet group's next crash goes at once
        Assert.Equal((14L, 1L), (_announced[2].Group.Count, _announced[2].CountSinceLastEvent));
    }

    [Fact]
    public void Two_groups_are_throttled_independently()
    {
        using var throttle = Throttle();
        throttle.Filed("node-a", SampleCrashGroups.Of("sig-a", 1), newGroup: true);
        _time.Advance(TimeSpan.FromSeconds(30));
        throttle.Filed("node-a", SampleCrashGroups.Of("sig-b", 1), newGroup: true); // a's minute does not hold b back
        throttle.Filed("node-a", SampleCrashGroups.Of("sig-a", 2), newGroup: false);
        throttle.Filed("node-a", SampleCrashGroups.Of("sig-b", 2), newGroup: false);
        Assert.Equal(["sig-a", "sig-b"], _announced.Select(n => n.Group.Signature));

        _time.Advance(TimeSpan.FromSeconds(30)); // a's minute is up, b's is not
        Assert.Equal(["sig-a", "sig-b", "sig-a"], _announced.Select(n => n.Group.Signature));
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(["sig-a", "sig-b", "sig-a", "sig-b"], _announced.Select(n => n.Group.Signature));
        Assert.All(_announced, notice => Assert.Equal(notice.Group.Count, _announced.Where(n => n.Group.Signature == notice.Group.Signature && n.Group.Count <= notice.Group.Count).Sum(n => n.CountSinceLastEvent)));
    }

    [Fact]
    public void The_same_container_on_two_nodes_is_two_groups() // each node reports its own; the source says which
    {
        using var throttle = Throttle();
        throttle.Filed("node-a", SampleCrashGroups.Of("sig-a", 1), newGroup: true);
        throttle.Filed("node-b", SampleCrashGroups.Of("sig-a", 1), newGroup: true);

        Assert.Equal(["node-a", "node-b"], _announced.Select(n => n.Node));
    }

    [Fact]
    public void Whatever_the_schedule_every_crash_is_counted_once_and_a_group_speaks_at_most_once_a_minute()
    {
        // Crashes of three groups at random moments over ten minutes (seconds apart, or many in one second).
        var schedules = Gen.Select(Gen.Int[0, 2], Gen.Int[0, 20]).Array[1, 60];
        schedules.Sample(schedule =>
        {
            var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));
            var announced = new List<(DateTimeOffset At, CrashNotice Notice)>();
            using var throttle = new CrashEventThrottle(time, notice => announced.Add((time.GetUtcNow(), notice)));
            var counts = new long[3];
            foreach (var (group, pause) in schedule)
            {
                time.Advance(TimeSpan.FromSeconds(pause));
                counts[group]++;
                throttle.Filed("node-a", SampleCrashGroups.Of($"sig-{group}", counts[group]), newGroup: counts[group] == 1);
            }

            time.Advance(TimeSpan.FromMinutes(2));
            for (var group = 0; group < 3; group++)
            {
                var events = announced.Where(a => a.Notice.Group.Signature == $"sig-{group}").ToList();
                if (counts[group] == 0 != (events.Count == 0)) return false;
                if (events.Sum(a => a.Notice.CountSinceLastEvent) != counts[group]) return false;
                if (events.Count > 0 && events[^1].Notice.Group.Count != counts[group]) return false;
                if (events.Zip(events.Skip(1)).Any(pair => pair.Second.At - pair.First.At < CrashEventThrottle.Interval)) return false;
            }

            return true;
        }, iter: 2000);
    }
}
