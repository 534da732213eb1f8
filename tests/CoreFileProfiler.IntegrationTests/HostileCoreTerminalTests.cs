using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using CoreFileProfiler.IntegrationTests.Support;
using Xunit.Abstractions;
using HostileElf = CoreFileProfiler.Tests.Support.HostileElf;

namespace CoreFileProfiler.IntegrationTests;

/// <summary>
/// The hostile ELF corpus as cores in the store of a running silo: a terminal on each is opened
/// over HTTP (the silo reads the core's notes to find its executable, gdb reads the rest). The
/// silo answers each (201 with gdb saying what it made of it, or a 4xx), stays up, and an honest
/// core still opens after.
/// </summary>
[Collection(SiloTests.Name)]
public sealed class HostileCoreTerminalTests(SiloFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task Every_hostile_core_gets_an_answer_and_the_silo_still_debugs_an_honest_one_after()
    {
        // Outside any pod, so the silo reads each core's own notes (NT_FILE) for its executable.
        var directory = Directory.CreateDirectory(Path.Join(fixture.Silo.CoreRoot, "hostile-" + Guid.NewGuid().ToString("N"))).FullName;
        var corpus = HostileElf.Corpus().Select((entry, i) => (entry.Name, File: $"core-{i:00}", Bytes: HostileElf.AsCore(entry.File))).ToList();
        foreach (var (_, file, bytes) in corpus) await File.WriteAllBytesAsync(Path.Join(directory, file), bytes);

        foreach (var (name, file, _) in corpus)
        {
            var body = SiloFixture.CoredumpRequest(pod: null);
            body[SiloFixture.Parameter + "filepath"] = Path.Join(directory, file);
            var session = await fixture.OpenSessionAsync(body);
            var clock = Stopwatch.StartNew();
            using var response = await fixture.Silo.Http.PostAsJsonAsync(session + "terminals", new { file });
            var status = (int)response.StatusCode;
            Assert.True(status == 201 || status is >= 400 and < 500, $"{name}: {status} {await response.Content.ReadAsStringAsync()}");
            var said = "";
            if (status == 201)
            {
                var ws = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("ws").GetString()!;
                await using var viewer = await TerminalClient.ConnectAsync(ws);
                await viewer.WaitForAsync("(gdb) ", TimeSpan.FromSeconds(20));
                said = string.Join(" | ", viewer.Text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith("(gdb)", StringComparison.Ordinal)).TakeLast(2));
            }

            output.WriteLine($"{name}: {status} in {clock.ElapsedMilliseconds} ms; {said}");
            await fixture.Silo.Http.DeleteAsync(session);
        }

        Assert.False(fixture.Silo.HasExited, "the silo died");
        Assert.True(await fixture.Silo.IsReadyAsync(), "the silo is not ready after the hostile cores");
        var (honest, honestFile) = await fixture.CrashAndOpenAsync("after-hostile");
        var (_, _, honestWs) = await SiloFixture.OpenTerminalAsync(fixture.Silo.Http, honest, honestFile);
        await using var debugger = await TerminalClient.ConnectAsync(honestWs);
        await debugger.WaitForAsync("(gdb) ");
        await debugger.TypeAsync("bt\n");
        await debugger.WaitForAsync(CrashingProgram.CrashingFunction);
    }
}
