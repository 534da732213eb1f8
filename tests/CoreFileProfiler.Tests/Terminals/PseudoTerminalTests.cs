using System.Diagnostics;
using System.Text;
using CoreFileProfiler.Node.Terminals;

namespace CoreFileProfiler.Tests.Terminals;

public sealed class PseudoTerminalTests
{
    private static readonly Dictionary<string, string> Environment = new() { ["PATH"] = "/usr/sbin:/usr/bin:/sbin:/bin", ["TERM"] = "xterm-256color" };

    private static PseudoTerminal Shell(string script, int cols = 80, int rows = 24) =>
        PseudoTerminal.Start(["sh", "-c", script], Environment, cols, rows);

    /// <summary>Reads until <paramref name="expected"/> shows up; returns everything read.</summary>
    private static string ReadUntil(PseudoTerminal terminal, string expected, TimeSpan? within = null)
    {
        var output = new StringBuilder();
        var buffer = new byte[4096];
        var clock = Stopwatch.StartNew();
        while (!output.ToString().Contains(expected, StringComparison.Ordinal))
        {
            Assert.True(clock.Elapsed < (within ?? TimeSpan.FromSeconds(10)), $"'{expected}' not seen in: {output}");
            var read = terminal.Read(buffer, TimeSpan.FromMilliseconds(100), out var timedOut);
            if (timedOut) continue;
            Assert.True(read > 0, $"terminal hung up before '{expected}': {output}");
            output.Append(Encoding.UTF8.GetString(buffer, 0, read));
        }

        return output.ToString();
    }

    [Fact]
    public void The_program_runs_on_a_real_terminal_of_the_requested_size()
    {
        using var terminal = Shell("tty; stty size; echo done", cols: 123, rows: 45);

        var output = ReadUntil(terminal, "done");

        Assert.Contains("/dev/pts/", output, StringComparison.Ordinal);
        Assert.Contains("45 123", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Input_reaches_the_program_and_resize_changes_what_it_sees()
    {
        using var terminal = Shell("read line; echo got:$line; read again; stty size; echo end");

        terminal.Write("hello\n"u8);
        ReadUntil(terminal, "got:hello");
        terminal.Resize(101, 33);
        terminal.Write("\n"u8);

        Assert.Contains("33 101", ReadUntil(terminal, "end"), StringComparison.Ordinal);
    }

    [Fact]
    public void Ctrl_c_typed_into_the_terminal_interrupts_the_foreground_program()
    {
        using var terminal = Shell("trap 'echo interrupted' INT; sleep 30 & wait; echo after");
        Thread.Sleep(300);
        var clock = Stopwatch.StartNew();

        terminal.Write("\u0003"u8);

        ReadUntil(terminal, "interrupted", TimeSpan.FromSeconds(5));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void The_program_leads_its_own_session_and_carries_its_owner_mark()
    {
        using var terminal = Shell("sleep 30");
        Thread.Sleep(200);

        var stat = File.ReadAllText($"/proc/{terminal.Pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        Assert.Equal(terminal.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture), fields[3]); // session id
        Assert.Contains($"{ChildProcessOwner.Variable}={ChildProcessOwner.Mark}", File.ReadAllText($"/proc/{terminal.Pid}/environ"), StringComparison.Ordinal);
    }

    [Fact]
    public void Dispose_kills_the_whole_process_group_and_reaps_it()
    {
        var terminal = Shell("sleep 60 & echo child:$!; wait");
        var output = ReadUntil(terminal, "child:");
        Thread.Sleep(100);
        var child = int.Parse(output[(output.IndexOf("child:", StringComparison.Ordinal) + 6)..].Trim().Split('\r', '\n')[0], System.Globalization.CultureInfo.InvariantCulture);

        terminal.Dispose();

        Assert.False(Directory.Exists($"/proc/{terminal.Pid}"), "the leader is still there (or a zombie)");
        SpinWait.SpinUntil(() => !Directory.Exists($"/proc/{child}"), TimeSpan.FromSeconds(5));
        Assert.False(Directory.Exists($"/proc/{child}"), "a child of the group survived");
    }

    [Fact]
    public void When_the_program_exits_the_terminal_hangs_up()
    {
        using var terminal = Shell("echo bye");
        ReadUntil(terminal, "bye");

        var buffer = new byte[256];
        int read;
        do
        {
            read = terminal.Read(buffer, TimeSpan.FromSeconds(5), out var timedOut);
            Assert.False(timedOut);
        }
        while (read > 0);

        Assert.True(SpinWait.SpinUntil(terminal.TryReap, TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public void Orphans_of_a_dead_owner_are_killed_and_those_of_a_live_owner_are_not()
    {
        using var orphan = StartMarked("1:0"); // pid 1 never started at tick 0: a dead owner
        using var ours = StartMarked(ChildProcessOwner.Mark);

        var killed = ChildProcessOwner.KillOrphans();

        Assert.Contains(orphan.Id, killed);
        Assert.DoesNotContain(ours.Id, killed);
        Assert.True(orphan.WaitForExit(5000));
        Assert.False(ours.HasExited);
        ours.Kill();
    }

    private static Process StartMarked(string owner)
    {
        var start = new ProcessStartInfo("sleep", "60") { Environment = { [ChildProcessOwner.Variable] = owner } };
        return Process.Start(start)!;
    }
}
