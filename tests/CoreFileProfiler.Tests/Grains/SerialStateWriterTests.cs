using CoreFileProfiler.Grains.Persistence;
using CsCheck;
using Microsoft.Extensions.Logging.Abstractions;

namespace CoreFileProfiler.Tests.Grains;

public sealed class SerialStateWriterTests
{
    [Fact]
    public void Interleaved_writes_and_clears_never_overlap_the_last_one_issued_decides_what_is_stored_and_a_burst_is_one_write()
    {
        // Each step: write the latest value, or clear.
        Gen.Int[0, 1].Array[1, 16].Sample(steps =>
        {
            var storage = new SlowStorage();
            var writer = new SerialStateWriter<string>(storage, NullLogger.Instance);
            var latest = "";
            var pending = new List<Task>();
            foreach (var (step, i) in steps.Select((s, i) => (s, i)))
            {
                // Issued back to back, as interleaved calls of one grain issue them.
                if (step == 0) latest = $"value {i}";
                pending.Add(step == 0 ? writer.WriteAsync(() => latest) : writer.TryClearAsync());
            }

            Task.WaitAll(pending);
            Assert.InRange(storage.MostAtOnce, 0, 1); // 0: nothing to do (a clear of no record)
            Assert.Equal(steps[^1] == 0, storage.RecordExists);
            if (steps[^1] == 0) Assert.Equal(latest, storage.Stored); // the state as it stood when the write's turn came
            // Writes between two clears are at most two: the first, and one for all asked for while it ran.
            var runs = string.Concat(steps).Split('1').Sum(run => Math.Min(run.Length, 2));
            Assert.InRange(storage.Writes, 0, runs);
        }, iter: 100);
    }

    [Fact]
    public async Task A_refused_write_fails_every_call_that_joined_it_and_the_next_one_stores_again()
    {
        var storage = new SlowStorage();
        var writer = new SerialStateWriter<string>(storage, NullLogger.Instance);
        var value = "first";
        var first = writer.WriteAsync(() => value);
        storage.RefuseNextWrite();
        value = "second";
        var joined = new[] { writer.WriteAsync(() => value), writer.WriteAsync(() => value) };

        await first;
        foreach (var call in joined)
        {
            var failure = await Record.ExceptionAsync(() => call);
            Assert.Equal(ProfilerError.Unavailable, Assert.IsType<ProfilerException>(failure).Error);
        }

        value = "third";
        await writer.WriteAsync(() => value);
        Assert.Equal("third", storage.Stored);
    }

    [Fact]
    public async Task A_write_that_finds_nothing_to_save_leaves_the_record_as_it_was()
    {
        var storage = new SlowStorage();
        var writer = new SerialStateWriter<string>(storage, NullLogger.Instance);
        await writer.WriteAsync(() => "live");
        await writer.TryClearAsync();

        await writer.WriteAsync(() => null); // the session ended meanwhile

        Assert.False(storage.RecordExists);
    }

    [Fact]
    public async Task A_write_that_timed_out_but_reached_the_storage_later_does_not_wedge_later_writes_and_clears()
    {
        var storage = new EtagStorage();
        var writer = new SerialStateWriter<string>(storage, NullLogger.Instance);
        await writer.WriteAsync(() => "v1");

        storage.ApplyNextWriteLate = true; // Redis paused: the client gives up, Redis runs it when it resumes
        await Assert.ThrowsAsync<ProfilerException>(() => writer.WriteAsync(() => "v2"));

        await writer.WriteAsync(() => "v3"); // a version conflict before the fix: every write failed from here on
        Assert.Equal("v3", storage.Stored);

        await writer.TryClearAsync(); // the conflict kept a closed session's record, restored on its next activation
        Assert.False(storage.RecordExists);
    }

    /// <summary>Grain storage that checks ETags as Redis grain storage does, and can apply a write it reported as failed.</summary>
    private sealed class EtagStorage : IPersistentState<string>
    {
        private string? _storedEtag;

        public string State { get; set; } = "";

        public string? Etag { get; private set; }

        public bool RecordExists { get; private set; }

        public string? Stored { get; private set; }

        public bool ApplyNextWriteLate { get; set; }

        public Task ReadStateAsync()
        {
            State = Stored ?? "";
            Etag = _storedEtag;
            RecordExists = _storedEtag is not null;
            return Task.CompletedTask;
        }

        public Task WriteStateAsync()
        {
            Check("WriteStateAsync");
            Stored = State;
            _storedEtag = Guid.NewGuid().ToString();
            if (ApplyNextWriteLate)
            {
                ApplyNextWriteLate = false;
                throw new TimeoutException("storage did not answer in time");
            }

            Etag = _storedEtag;
            RecordExists = true;
            return Task.CompletedTask;
        }

        public Task ClearStateAsync()
        {
            Check("ClearStateAsync");
            Stored = null;
            _storedEtag = Etag = null;
            RecordExists = false;
            return Task.CompletedTask;
        }

        private void Check(string operation)
        {
            if (Etag != _storedEtag) throw new Orleans.Storage.InconsistentStateException($"Version conflict ({operation})", _storedEtag ?? "", Etag ?? "");
        }
    }

    /// <summary>Grain storage that takes its time and counts how many operations it runs at once.</summary>
    private sealed class SlowStorage : IPersistentState<string>
    {
        private int _running;
        private bool _refuse;

        public string State { get; set; } = "";

        public string? Etag { get; private set; }

        public bool RecordExists => Etag is not null;

        public string? Stored { get; private set; }

        public int MostAtOnce { get; private set; }

        public int Writes { get; private set; }

        /// <summary>Makes the next write fail as an unreachable Redis would.</summary>
        public void RefuseNextWrite() => _refuse = true;

        public Task ReadStateAsync() => Task.CompletedTask;

        public Task WriteStateAsync()
        {
            // Decided when the write starts, as a connection that is down refuses it then.
            var refuse = _refuse;
            _refuse = false;
            return RunAsync(() =>
            {
                if (refuse) throw new TimeoutException("storage unreachable");
                Stored = State;
                Etag = Guid.NewGuid().ToString();
                Writes++;
            });
        }

        public Task ClearStateAsync() => RunAsync(() =>
        {
            Stored = null;
            Etag = null;
        });

        private async Task RunAsync(Action change)
        {
            MostAtOnce = Math.Max(MostAtOnce, Interlocked.Increment(ref _running));
            try
            {
                await Task.Delay(1);
                change();
            }
            finally
            {
                Interlocked.Decrement(ref _running);
            }
        }
    }
}
