using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json;
using CoreFileProfiler.IntegrationTests.Support;

namespace CoreFileProfiler.IntegrationTests;

/// <summary>The chart's pod, started for real (<see cref="ChartPodsFixture"/>): what a user of an installed release gets.</summary>
public sealed class ChartPodTests(ChartPodsFixture pods) : IClassFixture<ChartPodsFixture>
{
    [Fact]
    public async Task Each_silo_runs_with_exactly_what_the_chart_grants_and_listens_on_its_three_ports()
    {
        foreach (var pod in new[] { pods.A, pods.B })
        {
            var status = (await File.ReadAllLinesAsync($"/proc/{pod.Pid}/status")).Select(l => l.Split(':', 2)).ToDictionary(p => p[0], p => p[1].Trim());
            Assert.Equal("00000000000800e0", status["CapEff"]); // CAP_SYS_PTRACE, CAP_SETUID, CAP_SETGID, CAP_KILL: no more
            Assert.Equal("1", status["NoNewPrivs"]);
            Assert.Equal("2", status["Seccomp"]); // the runtime's default profile
            Assert.Equal(new HashSet<int> { pod.Ports.Http, pod.Ports.Silo, pod.Ports.Forwarding }, ProcessSockets.ListeningPorts(pod.Pid));

            // The silo port speaks nothing but TLS: a plaintext peer is hung up on.
            using var plaintext = new TcpClient();
            await plaintext.ConnectAsync(IPAddress.Loopback, pod.Ports.Silo);
            await plaintext.GetStream().WriteAsync("node/node-x:11111"u8.ToArray());
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            Assert.Equal(0, await plaintext.GetStream().ReadAsync(new byte[64], timeout.Token));

            // So does the forwarding port: plain HTTP gets no HTTP answer.
            using (var plainHttp = new TcpClient())
            {
                await plainHttp.ConnectAsync(IPAddress.Loopback, pod.Ports.Forwarding);
                await plainHttp.GetStream().WriteAsync("GET /healthz HTTP/1.1\r\nHost: node-x\r\nConnection: close\r\n\r\n"u8.ToArray());
                using var answer = new MemoryStream();
                using var within = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await Record.ExceptionAsync(() => plainHttp.GetStream().CopyToAsync(answer, within.Token)); // closed, reset or silent
                Assert.DoesNotContain("HTTP/1.1", System.Text.Encoding.Latin1.GetString(answer.ToArray()), StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public async Task A_crash_on_node_b_is_listed_downloaded_and_debugged_through_node_as_gateway()
    {
        var core = await CrashingProgram.CrashIntoStoreAsync(pods.Crasher, pods.WorkDirectory, pods.B.CoreStore, "default", "web-b", "app", ChartPodsFixture.CoreRoot);
        var file = "app/" + Path.GetFileName(core);
        var request = SiloFixture.CoredumpRequest("web-b", "app");
        request["node"] = "node-b";
        var session = await SiloFixture.OpenSessionAsync(pods.A.Http, request);

        var view = await pods.A.Http.GetFromJsonAsync<JsonElement>(session + "api");
        Assert.Equal("node-b", view.GetProperty("node").GetString());
        Assert.Equal(file, Assert.Single(view.GetProperty("files").EnumerateArray()).GetProperty("path").GetString());
        var downloaded = await pods.A.Http.GetByteArrayAsync(session + "files/" + file);
        Assert.Equal(SHA256.HashData(await File.ReadAllBytesAsync(core)), SHA256.HashData(downloaded));

        // gdb, under the pod's read-only root and capabilities, on the other node, in its sandbox.
        var (terminalId, _, ws) = await SiloFixture.OpenTerminalAsync(pods.A.Http, session, file);
        await using var terminal = await TerminalClient.ConnectAsync(ws);
        await terminal.WaitForAsync("(gdb) ");
        await terminal.TypeAsync("bt\n");
        var backtrace = await terminal.WaitForAsync(text => text.Contains("in main", StringComparison.Ordinal), "a backtrace down to main");
        Assert.Contains($"{CrashingProgram.CrashingFunction} (", backtrace, StringComparison.Ordinal);
        Assert.Contains($"{CrashingProgram.SourceFile}:{CrashingProgram.CrashingLine}", backtrace, StringComparison.Ordinal);

        var gdb = (await pods.A.Http.GetFromJsonAsync<JsonElement>(session + "api")).GetProperty("terminals").EnumerateArray()
            .Single(t => t.GetProperty("id").GetString() == terminalId).GetProperty("pid").GetInt32();
        var status = (await File.ReadAllLinesAsync($"/proc/{gdb}/status")).Select(l => l.Split(':', 2)).ToDictionary(p => p[0], p => p[1].Trim());
        Assert.NotEqual("0", status["Uid"].Split('\t')[0]);
        Assert.Equal("0000000000000000", status["CapEff"]);
        Assert.Equal("2", status["Seccomp"]);
        foreach (var (attack, refusal) in new[]
        {
            ("shell id", "Fork failed"),
            ("python print(open('/etc/shadow').read())", "PermissionError"),
            ("python print(open('/var/run/secrets/kubernetes.io/serviceaccount/token').read())", "PermissionError"),
            ($"python print(open('/proc/{pods.B.Pid}/environ').read())", "PermissionError"),
            ("python import socket; socket.socket()", "PermissionError"),
        })
        {
            await terminal.TypeAsync(attack + "\n");
            await terminal.WaitForAsync(refusal);
        }

        Assert.DoesNotContain("uid=", terminal.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_live_container_is_found_through_the_charts_log_mounts_and_snapshotted_with_ptrace_alone()
    {
        var id = await pods.Docker.RunPodContainerAsync("default", "live-web", "app", "/bin/sleep", "3000");
        var pid = await DockerEngine.HostPidAsync(id, "/bin/sleep 3000");
        // What the kubelet keeps in /var/log/containers on node-a; the chart mounts it.
        File.CreateSymbolicLink(Path.Join(pods.A.ContainerLogs, $"live-web_default_app-{id}.log"), "/var/log/pods/default_live-web_uid/app/0.log");

        var request = new Dictionary<string, string>
        {
            [SiloFixture.Parameter + "expiration_seconds"] = "120",
            [SiloFixture.Parameter + "type"] = "gcore",
            ["pod.namespace"] = "default",
            ["pod.name"] = "live-web",
            ["node"] = "node-a",
        };
        // Node-a reuses what it found for two seconds: a container that new may take that long to appear.
        var session = await OpenWhenFoundAsync(pods.B.Http, request);
        var processes = (await pods.B.Http.GetFromJsonAsync<JsonElement>(session + "api")).GetProperty("processes").EnumerateArray();
        Assert.Contains(processes, p => p.GetProperty("pid").GetInt32() == pid && p.GetProperty("container").GetString() == "app");

        using var taken = await pods.B.Http.PostAsJsonAsync(session + "snapshots", new { pid });
        Assert.True(taken.StatusCode == HttpStatusCode.Created, await taken.Content.ReadAsStringAsync());
        var path = (await taken.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("path").GetString()!;
        var relative = Path.GetRelativePath("/var/lib/kubediag/corefile", path);
        Assert.StartsWith("kubernetes/default/live-web/app/", relative, StringComparison.Ordinal);
        Assert.True(new FileInfo(Path.Join(pods.A.CoreStore, relative)).Length > 0, "the snapshot is on node-a's disk");
        Assert.Equal("S", (await File.ReadAllTextAsync($"/proc/{pid}/stat")).Split(") ")[1][..1]); // left running
    }

    private static async Task<string> OpenWhenFoundAsync(HttpClient gateway, Dictionary<string, string> request)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            using var response = await SiloFixture.PostProcessorAsync(request, gateway);
            if (response.StatusCode != HttpStatusCode.NotFound || clock.Elapsed > TimeSpan.FromSeconds(10))
            {
                Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
                return new Uri((await response.Content.ReadFromJsonAsync<Dictionary<string, string>>())![SiloFixture.ResultKey]).AbsolutePath;
            }

            await Task.Delay(250);
        }
    }
}
