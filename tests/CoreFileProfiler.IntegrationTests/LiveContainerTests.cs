using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CoreFileProfiler.IntegrationTests.Support;

namespace CoreFileProfiler.IntegrationTests;

[Collection(LiveContainersTests.Name)]
public sealed class LiveContainerTests(LiveContainersFixture fixture)
{
    private const string P = SiloFixture.Parameter;

    [Fact]
    public async Task A_gcore_session_of_a_pod_lists_its_sleep_with_the_host_pid_and_container()
    {
        var session = await OpenGcoreAsync(fixture.Silo, container: "app");

        var processes = await ProcessesAsync(fixture.Silo, session);
        var sleep = Assert.Single(processes, p => p.Command.StartsWith("/bin/sleep 3000", StringComparison.Ordinal));
        Assert.Contains(processes, p => p.Command.StartsWith("/sbin/docker-init", StringComparison.Ordinal)); // every process of the container
        Assert.Equal(fixture.AppSleepPid, sleep.Pid);
        Assert.Equal("app", sleep.Container);
        Assert.DoesNotContain(processes, p => p.Command.Contains("sleep 3001", StringComparison.Ordinal));
        Assert.Contains("sleep 3000", await fixture.Silo.Http.GetStringAsync(session), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_gcore_session_for_a_host_pid_lists_that_process_with_its_container()
    {
        var body = Body(("expiration_seconds", "60"), ("type", "gcore"), ("pid", fixture.AppSleepPid.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        var session = await SiloFixture.OpenSessionAsync(fixture.Silo, body);

        var process = Assert.Single(await ProcessesAsync(fixture.Silo, session));
        Assert.Equal((fixture.AppSleepPid, "app"), (process.Pid, process.Container));
    }

    [Fact]
    public async Task Without_container_the_processes_of_both_containers_are_listed_each_with_its_container()
    {
        var session = await OpenGcoreAsync(fixture.Silo, container: null);

        var processes = await ProcessesAsync(fixture.Silo, session);

        Assert.Equal("app", processes.Single(p => p.Pid == fixture.AppSleepPid).Container);
        Assert.Equal("sidecar", processes.Single(p => p.Pid == fixture.SidecarSleepPid).Container);
        Assert.Equal(processes.Count, processes.DistinctBy(p => p.Pid).Count()); // Docker and the log tree agree, once each
    }

    [Fact]
    public async Task With_docker_out_of_reach_proc_and_the_log_tree_find_the_same_processes()
    {
        var clock = Stopwatch.StartNew();
        var session = await OpenGcoreAsync(fixture.FallbackSilo, container: null);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed} without Docker");

        var processes = await ProcessesAsync(fixture.FallbackSilo, session);

        Assert.Equal("app", processes.Single(p => p.Pid == fixture.AppSleepPid).Container);
        Assert.Equal("sidecar", processes.Single(p => p.Pid == fixture.SidecarSleepPid).Container);
        Assert.Equal(
            (await ProcessesAsync(fixture.Silo, await OpenGcoreAsync(fixture.Silo, container: null))).Select(p => p.Pid).Order(),
            processes.Select(p => p.Pid).Order());
    }

    [Fact]
    public async Task Attached_gdb_shows_a_frame_and_the_process_runs_on_after_the_session_ends()
    {
        var session = await OpenGcoreAsync(fixture.Silo, container: "app");
        using var opened = await fixture.Silo.Http.PostAsJsonAsync(session + "terminals", new { pid = fixture.AppSleepPid });
        Assert.Equal(HttpStatusCode.Created, opened.StatusCode);
        var ws = (await opened.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("ws").GetString()!;

        await using (var viewer = await TerminalClient.ConnectAsync(ws))
        {
            await viewer.WaitForAsync("(gdb) ");
            Assert.Equal("t", State(fixture.AppSleepPid), ignoreCase: true); // held by gdb
            await viewer.TypeAsync("bt\n");
            await viewer.WaitForAsync("#0 ");
            Assert.Equal(HttpStatusCode.NoContent, (await fixture.Silo.Http.DeleteAsync(session)).StatusCode);
            await viewer.WaitClosedAsync(TimeSpan.FromSeconds(10));
        }

        Assert.True(SpinWait.SpinUntil(() => State(fixture.AppSleepPid) == "S", TimeSpan.FromSeconds(5)), $"pid {fixture.AppSleepPid} is {State(fixture.AppSleepPid)}");
    }

    [Fact]
    public async Task Live_attach_needs_the_admin_token_cannot_reach_other_processes_and_every_typed_line_is_audited()
    {
        const string Token = "live-attach-admin-token";
        using var temp = new TempDirectory();
        await using var silo = await SiloProcess.StartAsync(temp.Path, $"--Profiler:DockerEndpoint={fixture.Docker.Endpoint}", $"--Auth:AdminToken={Token}");
        var session = await OpenGcoreAsync(silo, container: "app");

        // The session URL alone is not enough, nor a wrong token.
        foreach (var token in new[] { null, "not-the-token" })
        {
            using var refused = await AttachAsync(silo, session, fixture.AppSleepPid, token);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.Contains("admin token", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Equal("S", State(fixture.AppSleepPid)); // nobody attached
        using var opened = await AttachAsync(silo, session, fixture.AppSleepPid, Token);
        Assert.Equal(HttpStatusCode.Created, opened.StatusCode);
        var ws = (await opened.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("ws").GetString()!;
        var refusedSocket = await Assert.ThrowsAsync<System.Net.WebSockets.WebSocketException>(() => TerminalClient.ConnectAsync(ws));
        Assert.Contains("401", refusedSocket.Message, StringComparison.Ordinal);

        await using (var viewer = await TerminalClient.ConnectAsync(ws, adminToken: Token))
        {
            await viewer.WaitForAsync("core-file-profiler: sandbox:");
            await viewer.WaitForAsync("(gdb) ");
            await viewer.TypeAsync("print 20+22\n");
            await viewer.WaitForAsync("= 42");
            // What an attacker would type to reach past the one process: ptrace, programs, files, sockets.
            await viewer.TypeAsync($"python import ctypes; libc = ctypes.CDLL(None, use_errno=True); print('ptrace', libc.ptrace(16, {fixture.SidecarSleepPid}, 0, 0), ctypes.get_errno())\n");
            await viewer.WaitForAsync("ptrace -1 1");
            await viewer.TypeAsync("shell id\n");
            await viewer.WaitForAsync("Fork failed");
            await viewer.TypeAsync($"python print(open('/proc/{silo.Pid}/environ').read())\n");
            await viewer.WaitForAsync("PermissionError");
            await viewer.TypeAsync("python import socket; socket.socket()\n");
            await viewer.WaitForAsync("Operation not permitted");
            await viewer.TypeAsync($"python import os; os.kill({silo.Pid}, 0)\n"); // signals reach the held process only
            await viewer.WaitForAsync("PermissionError");
            Assert.DoesNotContain("uid=", viewer.Text, StringComparison.Ordinal);
            Assert.DoesNotContain(Token, viewer.Text, StringComparison.Ordinal);
            Assert.Equal("S", State(fixture.SidecarSleepPid)); // never attached
        }

        Assert.Equal(HttpStatusCode.NoContent, (await silo.Http.DeleteAsync(session)).StatusCode);
        var audited = silo.Log().Split('\n').Where(l => l.Contains("LiveAttachInput", StringComparison.Ordinal)).ToList();
        Assert.Contains(audited, l => l.Contains("print 20+22", StringComparison.Ordinal) && l.Contains("127.0.0.1", StringComparison.Ordinal)
            && l.Contains($"\"Pid\":{fixture.AppSleepPid}", StringComparison.Ordinal));
        Assert.Contains(audited, l => l.Contains("shell id", StringComparison.Ordinal));
        var sessionId = session.Split('/', StringSplitOptions.RemoveEmptyEntries)[1];
        Assert.All(audited, l => Assert.DoesNotContain(sessionId, l, StringComparison.Ordinal));
        Assert.All(audited, l => Assert.Contains(CapabilityLeaks.HashOf(sessionId), l, StringComparison.Ordinal));
        Assert.True(SpinWait.SpinUntil(() => State(fixture.AppSleepPid) == "S", TimeSpan.FromSeconds(5)), "the process was left stopped");
    }

    [Fact]
    public async Task A_running_containers_files_are_read_as_the_container_sees_them_never_the_nodes()
    {
        // One path, two files: the node's (root's secret) and the container's own.
        var path = $"/tmp/cfp-two-sides-{Guid.NewGuid():N}";
        await File.WriteAllTextAsync(path, "NODE-SECRET");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        try
        {
            var id = (await fixture.Docker.DockerAsync("ps", "-q", "--filter", $"label=io.kubernetes.container.name=app")).Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).First();
            await fixture.Docker.DockerAsync("exec", id, "sh", "-c", $"echo CONTAINER-OWN > {path}; busybox ln -sf {path} /tmp/link-to-it");
            var fullId = (await fixture.Docker.DockerAsync("inspect", "-f", "{{.Id}}", id)).Output.Trim();

            // A core of that container whose metadata (the collector's) names the path, through a symlink.
            using var temp = new TempDirectory();
            var crasher = await CrashingProgram.BuildAsync(temp.Path);
            var (core, pid) = await CrashingProgram.CrashAsync(crasher, Path.Join(temp.Path, "crash"));
            var directory = Directory.CreateDirectory(Path.Join(fixture.Silo.CoreRoot, "kubernetes", LiveContainersFixture.Namespace, LiveContainersFixture.Pod, "app")).FullName;
            var filed = Path.Join(directory, $"{pid}_20261130-000001");
            File.Move(core, filed);
            await File.WriteAllTextAsync(filed + ".json", JsonSerializer.Serialize(new
            {
                pid, signal = 11, time = DateTimeOffset.UtcNow, exe = "/tmp/link-to-it", comm = "link-to-it", containerId = fullId,
                @namespace = LiveContainersFixture.Namespace, pod = LiveContainersFixture.Pod, container = "app", source = "kernel", size = 1L, truncated = false,
            }));

            var session = await SiloFixture.OpenSessionAsync(fixture.Silo, SiloFixture.CoredumpRequest(LiveContainersFixture.Pod, "app"));
            var (_, _, ws) = await SiloFixture.OpenTerminalAsync(fixture.Silo.Http, session, "app/" + Path.GetFileName(filed));
            await using var viewer = await TerminalClient.ConnectAsync(ws);
            await viewer.WaitForAsync("(gdb) ");
            Assert.Contains("with executable /tmp/link-to-it (from the running container's filesystem)", viewer.Text, StringComparison.Ordinal);
            await viewer.TypeAsync("python print('read:', open('/proc/self/fd/3/executable-link-to-it').read())\n");
            await viewer.WaitForAsync("read: CONTAINER-OWN");
            Assert.DoesNotContain("NODE-SECRET", viewer.Text, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task A_snapshot_is_filed_under_the_pod_opens_in_gdb_and_the_process_keeps_running()
    {
        var session = await OpenGcoreAsync(fixture.Silo, container: "sidecar");

        using var taken = await fixture.Silo.Http.PostAsJsonAsync(session + "snapshots", new { pid = fixture.SidecarSleepPid });

        Assert.Equal(HttpStatusCode.Created, taken.StatusCode);
        var snapshot = await taken.Content.ReadFromJsonAsync<JsonElement>();
        var path = snapshot.GetProperty("path").GetString()!;
        Assert.StartsWith(Path.Join(fixture.Silo.CoreRoot, "kubernetes", LiveContainersFixture.Namespace, LiveContainersFixture.Pod, "sidecar") + "/", path, StringComparison.Ordinal);
        Assert.Matches($"/{fixture.SidecarSleepPid}_\\d{{8}}-\\d{{6}}$", path);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(new FileInfo(path).Length, snapshot.GetProperty("size").GetInt64());
        using var metadata = JsonDocument.Parse(await File.ReadAllTextAsync(path + ".json"));
        Assert.Equal(fixture.SidecarSleepPid, metadata.RootElement.GetProperty("pid").GetInt32());
        Assert.Equal("gcore", metadata.RootElement.GetProperty("source").GetString());
        Assert.Equal("S", State(fixture.SidecarSleepPid));

        // The snapshot is a core like any other: a coredump session of the pod lists it and gdb opens it.
        var cores = await SiloFixture.OpenSessionAsync(fixture.Silo, SiloFixture.CoredumpRequest(LiveContainersFixture.Pod, "sidecar"));
        var file = "sidecar/" + Path.GetFileName(path);
        var (_, _, ws) = await SiloFixture.OpenTerminalAsync(fixture.Silo.Http, cores, file);
        await using var viewer = await TerminalClient.ConnectAsync(ws);
        await viewer.WaitForAsync("(gdb) ");
        await viewer.TypeAsync("bt\n");
        await viewer.WaitForAsync("#0 ");
        Assert.Contains("running container's filesystem", viewer.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task In_the_browser_snapshot_reports_the_new_core_and_attach_opens_gdb_on_the_process()
    {
        var session = await OpenGcoreAsync(fixture.Silo, container: "app");
        using var playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        await using var browser = await BrowserTests.LaunchAsync(playwright);
        var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1280, Height = 700 } });
        await page.GotoAsync($"{fixture.Silo.Http.BaseAddress}{session.TrimStart('/')}");

        await page.ClickAsync($"button.snapshot[data-pid='{fixture.AppSleepPid}']");
        await Microsoft.Playwright.Assertions.Expect(page.Locator("#snapshot-result")).ToContainTextAsync($"Core of pid {fixture.AppSleepPid} written", new() { Timeout = 30_000 });
        await page.ScreenshotAsync(new() { Path = BrowserTests.Artifact("gcore-session.png") });
        await page.ClickAsync($"button.attach[data-pid='{fixture.AppSleepPid}']");
        await Microsoft.Playwright.Assertions.Expect(page.Locator(".xterm-rows")).ToContainTextAsync("(gdb)", new() { Timeout = 20_000 });

        Assert.Equal(HttpStatusCode.NoContent, (await fixture.Silo.Http.DeleteAsync(session)).StatusCode);
        Assert.True(SpinWait.SpinUntil(() => State(fixture.AppSleepPid) == "S", TimeSpan.FromSeconds(5)));
    }

    [KernelFact]
    public async Task A_crash_of_a_non_init_process_in_a_container_is_filed_under_its_pod_and_container()
    {
        await using var collector = await InstalledCollector.InstallAsync();
        using var temp = new TempDirectory();
        var crasher = await CrashingProgram.BuildAsync(temp.Path, statically: true); // the image has no libc
        var id = await fixture.Docker.RunPodContainerAsync("default", "crashy-pod", "worker", "/bin/sleep", "300");
        File.CreateSymbolicLink(Path.Join(collector.LogRoot, "containers", $"crashy-pod_default_worker-{id}.log"), "/var/log/pods/x/worker/0.log");
        Assert.Equal(0, (await fixture.Docker.DockerAsync("cp", crasher, $"{id}:/crasher")).ExitCode);

        var (exitCode, _) = await fixture.Docker.DockerAsync("exec", id, "/crasher", "in-container");

        Assert.Equal(139, exitCode);
        var directory = Path.Join(collector.CoreRoot, "kubernetes", "default", "crashy-pod", "worker");
        var core = Assert.Single(await InstalledCollector.WaitForCoresAsync(directory, 1));
        var metadata = Collector.Metadata(core);
        Assert.Equal(id, metadata.GetProperty("containerId").GetString());
        Assert.Equal("/crasher", metadata.GetProperty("exe").GetString());
        var (_, backtrace) = await Command.RunAsync("gdb", ["-q", "-batch", "-nh", "-ex", "bt", crasher, core]);
        Assert.Contains(CrashingProgram.CrashingFunction, backtrace, StringComparison.Ordinal);
    }

    [KernelFact]
    public async Task After_its_container_is_gone_gdb_debugs_a_core_with_the_collectors_copy_of_the_program()
    {
        using var temp = new TempDirectory();
        var silo = await SiloProcess.StartAsync(Path.Join(temp.Path, "silo"));
        try
        {
            await using var collector = await InstalledCollector.InstallAsync(silo.CoreRoot);
            var crasher = await CrashingProgram.BuildAsync(temp.Path, statically: true);
            var id = await fixture.Docker.RunPodContainerAsync("default", "gone-pod", "worker", "/bin/sleep", "300");
            File.CreateSymbolicLink(Path.Join(collector.LogRoot, "containers", $"gone-pod_default_worker-{id}.log"), "/var/log/pods/x/worker/0.log");
            await fixture.Docker.DockerAsync("cp", crasher, $"{id}:/crasher");
            await fixture.Docker.DockerAsync("exec", id, "/crasher");
            var core = Assert.Single(await InstalledCollector.WaitForCoresAsync(Path.Join(silo.CoreRoot, "kubernetes", "default", "gone-pod", "worker"), 1));
            await fixture.Docker.DockerAsync("rm", "-f", id); // the container and its filesystem are gone

            var copy = Collector.Metadata(core).GetProperty("executableCopy").GetString()!;
            Assert.Equal(await File.ReadAllBytesAsync(crasher), await File.ReadAllBytesAsync(copy));
            var session = await SiloFixture.OpenSessionAsync(silo, SiloFixture.CoredumpRequest("gone-pod"));
            var (_, _, ws) = await SiloFixture.OpenTerminalAsync(silo.Http, session, "worker/" + Path.GetFileName(core));
            await using var viewer = await TerminalClient.ConnectAsync(ws);
            await viewer.WaitForAsync("(gdb) ");
            await viewer.TypeAsync("bt\n");
            await viewer.WaitForAsync(CrashingProgram.CrashingFunction);
            Assert.Contains("(from the collector's copy of the executable", viewer.Text, StringComparison.Ordinal);
        }
        finally
        {
            await silo.DisposeAsync();
        }
    }

    [Fact]
    public async Task Without_kubelet_log_links_the_collector_names_the_container_from_docker_labels()
    {
        using var temp = new TempDirectory();
        var time = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        string[] crash = ["-P", $"{fixture.AppSleepPid}", "-s", "6", "-t", time];

        var viaDocker = await Collector.CollectAsync("core"u8.ToArray(), Path.Join(temp.Path, "a"), Path.Join(temp.Path, "no-logs"), crash,
            new Dictionary<string, string> { ["CORE_COLLECTOR_DOCKER_ENDPOINT"] = fixture.Docker.Endpoint });
        var withoutEither = await Collector.CollectAsync("core"u8.ToArray(), Path.Join(temp.Path, "b"), Path.Join(temp.Path, "no-logs"), crash,
            new Dictionary<string, string> { ["CORE_COLLECTOR_DOCKER_ENDPOINT"] = $"unix://{temp.Path}/none.sock" });

        Assert.StartsWith(Path.Join(temp.Path, "a", "kubernetes", LiveContainersFixture.Namespace, LiveContainersFixture.Pod, "app") + "/", viaDocker, StringComparison.Ordinal);
        Assert.Equal(DockerEngine.Image, Collector.Metadata(viaDocker).GetProperty("image").GetString());
        Assert.Equal(Path.Join(temp.Path, "b"), Path.GetDirectoryName(withoutEither)); // not knowing the pod, the node level
    }

    [Fact]
    public async Task Bad_gcore_requests_are_refused_clearly()
    {
        var missingPid = Body(("expiration_seconds", "60"), ("type", "gcore"), ("pid", "999999999"));
        Assert.Equal(HttpStatusCode.NotFound, (await Post(fixture.Silo, missingPid)).StatusCode);
        var otherPod = Body(("expiration_seconds", "60"), ("type", "gcore"), ("pod.namespace", "default"), ("pod.name", "not-on-this-node"));
        var notHere = await Post(fixture.Silo, otherPod);
        Assert.Equal(HttpStatusCode.NotFound, notHere.StatusCode);
        Assert.Contains("No running container of pod default/not-on-this-node", await notHere.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var session = await OpenGcoreAsync(fixture.Silo, container: "app");
        Assert.Equal(HttpStatusCode.NotFound, (await fixture.Silo.Http.PostAsJsonAsync(session + "terminals", new { pid = fixture.SidecarSleepPid })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await fixture.Silo.Http.PostAsJsonAsync(session + "terminals", new { pid = Environment.ProcessId })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await fixture.Silo.Http.PostAsJsonAsync(session + "snapshots", new { pid = 1 })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await fixture.Silo.Http.PostAsJsonAsync(session + "snapshots", new { })).StatusCode);
    }

    private sealed record Process(int Pid, string Command, string? Container);

    private static async Task<HttpResponseMessage> AttachAsync(SiloProcess silo, string session, int pid, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, session + "terminals") { Content = JsonContent.Create(new { pid }) };
        if (token is not null) request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return await silo.Http.SendAsync(request);
    }

    private static async Task<string> OpenGcoreAsync(SiloProcess silo, string? container)
    {
        var body = new Dictionary<string, string>
        {
            [P + "expiration_seconds"] = "120",
            [P + "type"] = "gcore",
            ["pod.namespace"] = LiveContainersFixture.Namespace,
            ["pod.name"] = LiveContainersFixture.Pod,
        };
        if (container is not null) body["container"] = container;
        return await SiloFixture.OpenSessionAsync(silo, body);
    }

    private static async Task<List<Process>> ProcessesAsync(SiloProcess silo, string session) =>
        (await silo.Http.GetFromJsonAsync<JsonElement>(session + "api")).GetProperty("processes").EnumerateArray()
            .Select(p => new Process(p.GetProperty("pid").GetInt32(), p.GetProperty("command").GetString()!, p.GetProperty("container").GetString()))
            .ToList();

    private static string State(int pid) => ProcessState.Of(pid);

    private static Dictionary<string, string> Body(params (string Key, string Value)[] pairs) =>
        pairs.ToDictionary(p => p.Key.Contains('.', StringComparison.Ordinal) ? p.Key : P + p.Key, p => p.Value);

    private static async Task<HttpResponseMessage> Post(SiloProcess silo, Dictionary<string, string> body) =>
        await silo.Http.PostAsJsonAsync("/processor/coreFileProfiler", body);
}
