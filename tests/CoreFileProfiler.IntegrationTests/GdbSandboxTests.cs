using System.Net.Http.Json;
using System.Text.Json;
using CoreFileProfiler.IntegrationTests.Support;

namespace CoreFileProfiler.IntegrationTests;

/// <summary>
/// gdb on a core, behind a session URL, is a debugger and nothing more: each line below is what an
/// attacker would type into the terminal, and each is refused while the debugging still works.
/// </summary>
[Collection(SiloTests.Name)]
public sealed class GdbSandboxTests(SiloFixture fixture)
{
    private const string Prompt = "(gdb) ";

    [Fact]
    public async Task Gdb_on_a_core_runs_as_an_unprivileged_uid_with_no_capabilities_no_new_privileges_and_seccomp()
    {
        var (session, terminal, viewer) = await OpenAsync("sandbox-identity");
        await using (viewer)
        {
            var pid = (await fixture.Silo.Http.GetFromJsonAsync<JsonElement>(session + "api")).GetProperty("terminals").EnumerateArray()
                .Single(t => t.GetProperty("id").GetString() == terminal).GetProperty("pid").GetInt32();
            var status = (await File.ReadAllLinesAsync($"/proc/{pid}/status")).Select(l => l.Split(':', 2)).ToDictionary(p => p[0], p => p[1].Trim());

            var uids = status["Uid"].Split('\t');
            Assert.All(uids, uid => Assert.True(long.Parse(uid, System.Globalization.CultureInfo.InvariantCulture) >= 0x70000000, $"uid {status["Uid"]}"));
            Assert.All(status["Gid"].Split('\t'), gid => Assert.Equal(uids[0], gid));
            Assert.Equal("", status["Groups"]);
            Assert.Equal("0000000000000000", status["CapEff"]);
            Assert.Equal("0000000000000000", status["CapPrm"]);
            Assert.Equal("1", status["NoNewPrivs"]);
            Assert.Equal("2", status["Seccomp"]);
            Assert.Contains("core-file-profiler: sandbox: uid", viewer.Text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Gdb_cannot_take_the_nodes_memory_or_cpu()
    {
        var (session, terminal, viewer) = await OpenAsync("sandbox-limits");
        await using (viewer)
        {
            var pid = (await fixture.Silo.Http.GetFromJsonAsync<JsonElement>(session + "api")).GetProperty("terminals").EnumerateArray()
                .Single(t => t.GetProperty("id").GetString() == terminal).GetProperty("pid").GetInt32();
            var limits = await File.ReadAllLinesAsync($"/proc/{pid}/limits");
            Assert.Contains(limits, l => l.StartsWith("Max data size", StringComparison.Ordinal) && l.Contains(" 4294967296 ", StringComparison.Ordinal));
            Assert.Contains(limits, l => l.StartsWith("Max cpu time", StringComparison.Ordinal) && l.Contains(" 1800 ", StringComparison.Ordinal));

            // 5 GiB would be granted at once without the limit (its pages untouched): the sandbox refuses it.
            await ExpectAsync(viewer, "python big = bytearray(5 << 30); print('allocated', len(big))", "MemoryError");
            Assert.DoesNotContain("allocated 5", viewer.Text, StringComparison.Ordinal);
            await ExpectAsync(viewer, "python small = bytearray(64 << 20); print('allocated', len(small))", "allocated 67108864");
            await AssertStillDebuggingAsync(viewer);
        }
    }

    [Fact]
    public async Task Gdb_runs_no_program_however_it_is_asked()
    {
        var marker = Path.Join(fixture.WorkDirectory, "pwned-" + Guid.NewGuid().ToString("N"));
        var (_, _, viewer) = await OpenAsync("sandbox-exec");
        await using (viewer)
        {
            // gdb cannot even fork the shell these need.
            await ExpectAsync(viewer, $"shell touch {marker}; id", "Fork failed");
            await ExpectAsync(viewer, $"!touch {marker}", "Fork failed");
            await ExpectAsync(viewer, "pipe bt | cat", "Error launching");
            await ExpectAsync(viewer, $"python import os; print('system:', os.system('touch {marker}'))", "system: ");
            await ExpectAsync(viewer, "python import subprocess; subprocess.run(['id'])", "PermissionError");
            await ExpectAsync(viewer, "python import os; os.execv('/bin/sh', ['sh', '-c', 'id'])", "PermissionError");
            await ExpectAsync(viewer, "make", "Fork failed");
            await ExpectAsync(viewer, "python import os; os.fork()", "PermissionError"); // nothing it starts could outlive it
            await ExpectAsync(viewer, "python import ctypes; print('shmget', ctypes.CDLL(None).shmget(0, 4096, 0o1600))", "shmget -1");
            await ExpectAsync(viewer, "python import ctypes; print('pdeathsig', ctypes.CDLL(None).prctl(1, 0, 0, 0, 0))", "pdeathsig -1"); // it dies with the silo
            await ExpectAsync(viewer, "python import socket; socket.socketpair()", "PermissionError");

            Assert.DoesNotContain("uid=", viewer.Text, StringComparison.Ordinal);
            Assert.False(File.Exists(marker), "a program ran");
            await AssertStillDebuggingAsync(viewer);
        }
    }

    [Fact]
    public async Task Gdb_reads_no_file_but_its_own_core_executable_and_libraries()
    {
        var otherCore = await fixture.CrashIntoAsync("another-tenant", "app");
        var script = Path.Join(Path.GetDirectoryName(otherCore)!, "evil.gdb");
        await File.WriteAllTextAsync(script, "print 1234567\n");
        var (_, _, viewer) = await OpenAsync("sandbox-files");
        await using (viewer)
        {
            foreach (var path in new[] { "/etc/shadow", "/etc/passwd", otherCore, $"/proc/1/root/etc/hostname", $"/proc/{fixture.Silo.Pid}/environ", $"/proc/{fixture.Silo.Pid}/cmdline" })
            {
                await ExpectAsync(viewer, $"python print(open('{path}', 'rb').read(16))", "PermissionError");
            }

            await ExpectAsync(viewer, $"source {script}", "Permission denied");
            Assert.DoesNotContain("1234567", viewer.Text, StringComparison.Ordinal);
            // Of the silo's descriptors, none reaches gdb (its sockets least of all).
            await ExpectAsync(viewer, "python import os; print('links', [os.readlink(p) for p in ['/proc/self/fd/' + f for f in os.listdir('/proc/self/fd')] if os.path.exists(p)])", "links [");
            Assert.DoesNotContain("socket:", viewer.Text, StringComparison.Ordinal);
            await AssertStillDebuggingAsync(viewer);

            // Last: a failed core-file leaves gdb with no core at all.
            await ExpectAsync(viewer, $"core-file {otherCore}", "Permission denied");
        }
    }

    [Fact]
    public async Task Gdb_writes_nothing_opens_no_socket_and_attaches_to_nothing()
    {
        var written = Path.Join(fixture.WorkDirectory, "dumped-" + Guid.NewGuid().ToString("N"));
        var (_, _, viewer) = await OpenAsync("sandbox-net");
        await using (viewer)
        {
            await ExpectAsync(viewer, $"dump binary value {written} 42", "Permission denied");
            await ExpectAsync(viewer, $"python import socket; socket.create_connection(('127.0.0.1', {fixture.Silo.Port}))", "PermissionError");
            await ExpectAsync(viewer, "python import socket; socket.socket(socket.AF_INET, socket.SOCK_DGRAM)", "PermissionError");
            await ExpectAsync(viewer, $"python import os, signal; os.kill({fixture.Silo.Pid}, signal.SIGTERM)", "PermissionError");
            await ExpectAsync(viewer, "show auto-load gdb-scripts", "is off");
            await AssertStillDebuggingAsync(viewer);

            // Last: attaching drops the core first, refused or not.
            await ExpectAsync(viewer, $"attach {fixture.Silo.Pid}", "ptrace: Operation not permitted");
            Assert.False(File.Exists(written), "gdb wrote a file");
            Assert.True(Directory.Exists($"/proc/{fixture.Silo.Pid}"), "the silo was signalled");
        }
    }

    [Fact]
    public async Task A_pod_core_never_gets_a_file_of_the_node_the_core_names()
    {
        // A core filed under a pod with no container to read from and no kept copy: the paths its
        // notes name are the tenant's choice, and on this node they are the node's files.
        var (core, pid) = await CrashingProgram.CrashAsync(fixture.Crasher, Path.Join(fixture.WorkDirectory, "named-" + Guid.NewGuid().ToString("N")));
        var directory = Directory.CreateDirectory(Path.Join(fixture.Silo.CoreRoot, "kubernetes", SiloFixture.Namespace, "names-node-files", "app")).FullName;
        var filed = Path.Join(directory, $"{pid}_20261130-000000");
        File.Move(core, filed);
        var session = await SiloFixture.OpenSessionAsync(fixture.Silo, SiloFixture.CoredumpRequest("names-node-files", "app"));
        var (_, _, ws) = await SiloFixture.OpenTerminalAsync(fixture.Silo.Http, session, "app/" + Path.GetFileName(filed));
        await using var viewer = await TerminalClient.ConnectAsync(ws);
        await viewer.WaitForAsync(Prompt);

        Assert.Contains("was not found (its container is gone and the collector kept no copy)", viewer.Text, StringComparison.Ordinal);
        await ExpectAsync(viewer, "python import os; print('handed', sorted(os.listdir('/proc/self/fd/3')))", "handed [");
        Assert.DoesNotContain("executable-", viewer.Text, StringComparison.Ordinal);
        await ExpectAsync(viewer, "bt", "#0");
    }

    /// <summary>What gdb is for still works: the backtrace with the crashing line, the source, values, memory, Python.</summary>
    private static async Task AssertStillDebuggingAsync(TerminalClient viewer)
    {
        await ExpectAsync(viewer, "bt", "in main");
        Assert.Contains($"{CrashingProgram.CrashingFunction} (", viewer.Text, StringComparison.Ordinal);
        Assert.Contains($"{CrashingProgram.SourceFile}:{CrashingProgram.CrashingLine}", viewer.Text, StringComparison.Ordinal);
        await ExpectAsync(viewer, $"list {CrashingProgram.CrashingFunction}", "/* the crash */");
        await ExpectAsync(viewer, "print 6*7", "= 42");
        await ExpectAsync(viewer, "x/2xg $sp", "0x");
        await ExpectAsync(viewer, "python print('py', gdb.selected_frame().name())", $"py {CrashingProgram.CrashingFunction}");
    }

    private async Task<(string Session, string Terminal, TerminalClient Viewer)> OpenAsync(string pod)
    {
        var (session, file) = await fixture.CrashAndOpenAsync(pod);
        var (terminal, _, ws) = await SiloFixture.OpenTerminalAsync(fixture.Silo.Http, session, file);
        var viewer = await TerminalClient.ConnectAsync(ws);
        await viewer.WaitForAsync(Prompt);
        return (session, terminal, viewer);
    }

    /// <summary>Types <paramref name="line"/> and waits for <paramref name="expected"/> after it, then the next prompt.</summary>
    private static async Task ExpectAsync(TerminalClient viewer, string line, string expected)
    {
        var before = viewer.Text.Length;
        await viewer.TypeAsync(line + "\n");
        await viewer.WaitForAsync(
            text => text.Length > before && text[before..].Contains(expected, StringComparison.Ordinal) && text[before..].TrimEnd().EndsWith("(gdb)", StringComparison.Ordinal),
            $"'{expected}' after '{line}'");
    }
}
