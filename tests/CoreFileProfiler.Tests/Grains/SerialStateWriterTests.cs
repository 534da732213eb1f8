using CoreFileProfiler.Grains.Persistence;
using CsCheck;
using Microsoft.Extensions.Logging.Abstractions;

namespace CoreFileProfiler.Tests.Grains;

public sealed class SerialStateWriterTests
{
    [Fact]
    public void Interleaved_writes_and_clears_never_overlap_and_the_last_one_issued_decides_what_is_stored()
    {
        // Each step: write the latest value, clear, or a write the storage refuses.
        Gen.Int[0, 2].Array[1, 16].Sample(steps =>
        {
            var storage = new SlowStorage();
            var writer = new SerialStateWriter<string>(storage, NullLogger.Instance);
            var latest = "";
            var pending = new List<(int Step, Task Done)>();
            foreach (var (step, i) in steps.Select((s, i) => (s, i)))
            {
                // Issued back to back, as interleaved calls of one grain issue them.
                if (step == 0) latest = $"value {i}";
                pending.Add((step, step switch
                {
                    0 => writer.WriteAsync(() => latest),
                    1 => writer.TryClearAsync(),
                    _ => writer.WriteAsync(() => storage.RefuseNext()),
                }));
            }

            foreach (var (step, done) in pending)
            {
                var failure = Record.Exception(() => done.GetAwaiter().GetResult());
                if (step == 2) Assert.Equal(ProfilerError.Unavailable, Assert.IsType<ProfilerException>(failure).Error);
                else Assert.Null(failure);
            }

            Assert.InRange(storage.MostAtOnce, 0, 1); // 0: nothing to do (a clear of no record)
            var last = steps.LastOrDefault(s => s != 2, -1);
            Assert.Equal(last == 0, storage.RecordExists);
            if (last == 0) Assert.Equal(latest, storage.Stored); // the state as it stood when the write's turn came
        }, iter: 100);
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

        /// <summary>Makes the next write fail as an unreachable Redis would; what it gives is never stored.</summary>
        public string RefuseNext()
        {
            _refuse = true;
            return "refused";
        }

        public Task ReadStateAsync() => Task.CompletedTask;

        public Task WriteStateAsync() => RunAsync(() =>
        {
            if (_refuse)
            {
                _refuse = false;
                throw new TimeoutException("storage unreachable");
            }

            Stored = State;
            Etag = Guid.NewGuid().ToString();
        });

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
