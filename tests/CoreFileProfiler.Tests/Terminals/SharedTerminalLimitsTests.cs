using System.Text;
using CoreFileProfiler.Node;
using CoreFileProfiler.Node.Terminals;

namespace CoreFileProfiler.Tests.Terminals;

/// <summary>A real program under a real pseudo-terminal, shared under tight limits.</summary>
public sealed class SharedTerminalLimitsTests
{
    private static readonly Dictionary<string, string> Environment = new() { ["PATH"] = "/usr/sbin:/usr/bin:/sbin:/bin", ["TERM"] = "xterm-256color" };

    private static SharedTerminal Start(string script, TerminalLimits limits) =>
        new(PseudoTerminal.Start(["sh", "-c", script], Environment, 80, 24), "sh", limits: limits);

    private static async Task<string> ReadUntilAsync(TerminalViewer viewer, string expected, TimeSpan within)
    {
        using var timeout = new CancellationTokenSource(within);
        var tail = "";
        await foreach (var chunk in viewer.ReadAllAsync(timeout.Token))
        {
            // Only the end is searched: a viewer that rescans all it got would fall behind by itself.
            tail = tail[Math.Max(0, tail.Length - expected.Length)..] + Encoding.UTF8.GetString(chunk);
            if (tail.Contains(expected, StringComparison.Ordinal)) return tail;
        }

        throw new InvalidOperationException($"The output ended ({viewer.EndReason}) before '{expected}': ...{tail[Math.Max(0, tail.Length - 200)..]}");
    }

    [Fact]
    public async Task Viewers_beyond_the_limit_are_refused_and_a_freed_place_is_taken_again()
    {
        var terminal = Start("sleep 30", TerminalLimits.Default with { MaxViewers = 3 });
        try
        {
            var viewers = Enumerable.Range(0, 3).Select(_ => terminal.Attach()).ToList();

            var refusal = Assert.Throws<LimitReachedException>(terminal.Attach);
            Assert.Contains("3 viewers (Profiler:MaxViewersPerTerminal)", refusal.Message, StringComparison.Ordinal);
            Assert.Equal(3, terminal.ViewerCount);

            viewers[0].Dispose();
            using var again = terminal.Attach();
            Assert.Equal(3, terminal.ViewerCount);
            foreach (var viewer in viewers.Skip(1)) viewer.Dispose();
        }
        finally
        {
            await terminal.Close("test over");
            terminal.Recording.Dispose();
        }
    }

    [Fact]
    public async Task A_viewer_too_far_behind_is_cut_off_while_one_that_keeps_up_gets_everything()
    {
        // 3 MB of output once told to go, at a pace a reading viewer keeps up with even on a loaded machine
        // (it would have to stall for 1.5 s to fall 1.5 MiB behind); a viewer may be 1.5 MiB behind.
        var terminal = Start(
            "read go; for i in $(seq 30); do head -c 100000 /dev/zero | tr '\\0' a; sleep 0.1; done; echo; echo done; read stay",
            TerminalLimits.Default with { MaxViewerBacklogBytes = 3 << 19 });
        try
        {
            using var stalled = terminal.Attach();
            using var reading = terminal.Attach();
            await terminal.SendAsync("go\n"u8.ToArray());

            await ReadUntilAsync(reading, "done", TimeSpan.FromSeconds(20));

            await foreach (var _ in stalled.ReadAllAsync())
            {
                // what it was sent before it was cut off
            }

            Assert.Contains("fell too far behind", stalled.EndReason, StringComparison.Ordinal);
            Assert.Equal(1, terminal.ViewerCount);
        }
        finally
        {
            await terminal.Close("test over");
            terminal.Recording.Dispose();
        }
    }

    [Fact]
    public async Task Input_the_program_does_not_read_fills_a_bounded_queue_then_is_refused_while_output_goes_on()
    {
        // Never reads its input: whatever is typed piles up in the terminal, then in the queue.
        var terminal = Start("while true; do echo tick; sleep 0.1; done", TerminalLimits.Default with { MaxInputBytes = 16 << 10, InputWait = TimeSpan.FromMilliseconds(500) });
        try
        {
            using var viewer = terminal.Attach();
            var line = Encoding.ASCII.GetBytes(new string('x', 1023) + "\n");
            long sent = 0;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var refusal = await Assert.ThrowsAsync<LimitReachedException>(async () =>
            {
                while (sent < 64 << 20)
                {
                    await terminal.SendAsync(line);
                    sent += line.Length;
                }
            });

            Assert.Contains("Profiler:MaxTerminalInputBytes", refusal.Message, StringComparison.Ordinal);
            Assert.True(sent < 8 << 20, $"{sent} bytes were taken before the refusal");
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"refused after {clock.Elapsed}");
            await ReadUntilAsync(viewer, "tick", TimeSpan.FromSeconds(10)); // the program and its viewers go on
            Assert.False(terminal.Ended.IsCompleted);
        }
        finally
        {
            await terminal.Close("test over");
            terminal.Recording.Dispose();
        }
    }
}
