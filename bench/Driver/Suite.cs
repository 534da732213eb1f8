using System.Globalization;

namespace CoreFileProfiler.Bench;

/// <summary>Every pair of bench/run.sh, interleaved, into RESULTS.md.</summary>
public static class Suite
{
    public static async Task RunAsync(Options options, HttpClient http)
    {
        var quick = options.Has("quick");
        var rounds = options.Number("rounds", quick ? 2 : 5);
        var siloPid = options.Number("silo-pid", 0);
        var silo = new ProfilerClient(new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256 })
        {
            BaseAddress = new Uri(options.Get("silo")),
            Timeout = TimeSpan.FromMinutes(10),
        });
        var report = new Report();
        var idleRss = ProfilerClient.Rss(siloPid);
        // The second node's gateway: the silo's sessions reached through it, as a user of any node would.
        var otherGateway = new Uri(options.Get("other-gateway"));

        // --downloads-only / --processor-only: those rows alone, to iterate on them.
        var only = options.Has("downloads-only") ? "downloads" : options.Has("processor-only") ? "processor" : null;
        if (only == "downloads") await DownloadsAsync(options, http, silo, otherGateway, report, rounds);
        else if (only == "processor") await ProcessorAsync(options, silo, report, quick);
        else
        {
            await DownloadsAsync(options, http, silo, otherGateway, report, rounds);
            await TerminalsAsync(options, silo, otherGateway, report, rounds, quick);
            await ProcessorAsync(options, silo, report, quick);
            await CollectorAsync(options, report, rounds, quick);
            await MemoryAsync(options, silo, report, siloPid, idleRss, quick);
        }

        var title = quick ? "Benchmark smoke run (--quick: small sizes, not figures)" : only is null ? "Benchmark results" : $"Benchmark results, {only} only";
        report.Write(options.Get("out"), title, options.Get("machine"), rounds);
    }

    /// <summary>Runs <paramref name="ours"/> and <paramref name="anchor"/> alternately: one warm-up each, then <paramref name="rounds"/> each.</summary>
    private static async Task<(Samples Ours, Samples Anchor)> InterleaveAsync(int rounds, Func<Task<double>> ours, Func<Task<double>> anchor)
    {
        var (a, b) = (new Samples(), new Samples());
        await ours();
        await anchor();
        for (var i = 0; i < rounds; i++)
        {
            a.Add(await ours());
            b.Add(await anchor());
        }

        return (a, b);
    }

    private static async Task DownloadsAsync(Options options, HttpClient http, ProfilerClient silo, Uri otherGateway, Report report, int rounds)
    {
        var file = options.Get("big");
        var size = new FileInfo(file).Length;
        var session = await silo.OpenSessionAsync(ProfilerClient.CoredumpBody(file, 3600));
        var ours = new Uri(silo.Http.BaseAddress!, $"{session}files/{Path.GetFileName(file)}").ToString();
        var nginx = options.Get("nginx").TrimEnd('/') + "/" + Path.GetRelativePath(options.Get("core-root"), file);
        var gib = size / (1L << 30) >= 1 ? $"{size / (double)(1L << 30):0.#} GiB" : $"{size >> 20} MiB";

        var (whole, wholeNginx) = await InterleaveAsync(rounds, () => Probes.DownloadAsync(http, ours), () => Probes.DownloadAsync(http, nginx));
        report.Pair($"core download, {gib}", "MB/s", whole, wholeNginx, "nginx sendfile", higherIsBetter: true, "≥ 0.9× nginx", whole.Median >= 0.9 * wholeNginx.Median);

        var from = size - Math.Min(1L << 30, size / 2);
        var (tail, tailNginx) = await InterleaveAsync(rounds, () => Probes.DownloadAsync(http, ours, from), () => Probes.DownloadAsync(http, nginx, from));
        report.Pair($"resumed download, last {(size - from) >> 20} MiB (206)", "MB/s", tail, tailNginx, "nginx sendfile", higherIsBetter: true, "≥ 0.9× nginx", tail.Median >= 0.9 * tailNginx.Median);

        // The same session's file through the other node's gateway, which forwards to the owning one.
        var throughOther = new Uri(otherGateway, new Uri(ours).PathAndQuery).ToString();
        var (forwarded, direct) = await InterleaveAsync(rounds, () => Probes.DownloadAsync(http, throughOther), () => Probes.DownloadAsync(http, ours));
        report.Pair($"core download through another node's gateway, {gib}", "MB/s", forwarded, direct, "direct from the owning gateway", higherIsBetter: true,
            "≥ 0.7× direct (aim 0.9×)", forwarded.Median >= 0.7 * direct.Median);
        await silo.CloseAsync(session);
    }

    private static async Task TerminalsAsync(Options options, ProfilerClient silo, Uri otherGateway, Report report, int rounds, bool quick)
    {
        var core = options.Get("crash-core");
        var session = await silo.OpenSessionAsync(ProfilerClient.CoredumpBody(core, 3600));
        await using var ours = await TerminalPeer.ConnectAsync(await silo.OpenTerminalAsync(session, Path.GetFileName(core)), ours: true);
        await using var anchor = await TerminalPeer.ConnectAsync(options.Get("websocketd"), ours: false);

        var count = quick ? 20 : 400;
        var (echo, echoAnchor) = (new Samples(), new Samples());
        await Probes.EchoAsync(ours, 0, 50);
        await Probes.EchoAsync(anchor, 0, 50);
        for (var i = 0; i < rounds; i++)
        {
            echo.AddRange(await Probes.EchoAsync(ours, count, 0));
            echoAnchor.AddRange(await Probes.EchoAsync(anchor, count, 0));
        }

        report.Pair("terminal command round trip (gdb `echo`)", "ms", echo, echoAnchor, "websocketd 0.4.1", higherIsBetter: false,
            "p50 and p99 ≤ the anchor's", echo.Median <= echoAnchor.Median && echo.P99 <= echoAnchor.P99);

        // The same gdb, a second viewer through the other node's gateway; the two take turns.
        var ws = await silo.OpenTerminalAsync(session, Path.GetFileName(core));
        await using var direct = await TerminalPeer.ConnectAsync(ws, ours: true);
        await using var remote = await TerminalPeer.ConnectAsync(new UriBuilder(ws) { Port = otherGateway.Port }.Uri.ToString(), ours: true);
        var (echoRemote, echoDirect) = (new Samples(), new Samples());
        await Probes.EchoAsync(remote, 0, 50);
        await Probes.EchoAsync(direct, 0, 50);
        for (var i = 0; i < rounds; i++)
        {
            echoRemote.AddRange(await Probes.EchoAsync(remote, count, 0));
            echoDirect.AddRange(await Probes.EchoAsync(direct, count, 0));
        }

        report.Pair("terminal command round trip through another node's gateway", "ms", echoRemote, echoDirect, "direct to the owning gateway", higherIsBetter: false,
            "p50 ≤ 1.3× direct", echoRemote.Median <= 1.3 * echoDirect.Median);

        var lines = int.Parse(options.Get("bulk-lines"), System.Globalization.CultureInfo.InvariantCulture);
        var (output, outputAnchor) = await InterleaveAsync(rounds, () => Probes.BulkAsync(ours, lines), () => Probes.BulkAsync(anchor, lines));
        report.Pair($"terminal bulk output, {Probes.BulkBytes(lines) / 1_000_000} MB", "MB/s", output, outputAnchor, "websocketd 0.4.1", higherIsBetter: true,
            "≥ 1× the anchor", output.Median >= outputAnchor.Median);
        await silo.CloseAsync(session);
    }

    private static async Task ProcessorAsync(Options options, ProfilerClient silo, Report report, bool quick)
    {
        // Each call opens a session on the crashed core that lives 5 s, as an agent's call would.
        var body = Path.Join(options.Get("work"), "processor-body.json");
        await File.WriteAllTextAsync(body, System.Text.Json.JsonSerializer.Serialize(ProfilerClient.CoredumpBody(options.Get("crash-core"), 5)));
        var url = silo.Http.BaseAddress!.ToString().TrimEnd('/');
        await Probes.WrkAsync(url, body, 4, quick ? 1 : 3); // warm-up
        foreach (var connections in new[] { 1, 50 })
        {
            var (p50, p99, perSecond, errors) = await Probes.WrkAsync(url, body, connections, quick ? 2 : 10);
            report.Alone($"processor call, coredump, {connections} concurrent, wrk ({perSecond:0} calls/s, {errors})", "ms",
                p50, p99, "p50 ≤ 5 ms, p99 ≤ 50 ms", errors == "0 failed" && p50 <= 5 && p99 <= 50);
        }

        // Against the machine's own limit: the same wrk at 50 connections on a bare Kestrel answering the same JSON, interleaved.
        var bare = options.Get("bare-kestrel").TrimEnd('/');
        var failed = new List<string>();
        async Task<double> CallsPerSecond(string target)
        {
            var (_, _, perSecond, errors) = await Probes.WrkAsync(target, body, 50, quick ? 1 : 5);
            if (errors != "0 failed") failed.Add($"{target}: {errors}");
            return perSecond;
        }

        var (ours, anchor) = await InterleaveAsync(quick ? 1 : 3, () => CallsPerSecond(url), () => CallsPerSecond(bare));
        report.Pair("processor throughput, coredump, 50 connections, wrk", "calls/s", ours, anchor, "bare Kestrel, same JSON", higherIsBetter: true,
            "≥ 0.5× bare Kestrel", failed.Count == 0 && ours.Median >= 0.5 * anchor.Median);
        foreach (var failure in failed) report.Note($"processor throughput: {failure}");
    }

    private static async Task CollectorAsync(Options options, Report report, int rounds, bool quick)
    {
        var collector = options.Get("collector");
        var input = options.Get("collector-input");
        var work = options.Get("work");
        var store = Path.Join(work, "collected");
        var time = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var environment = new Dictionary<string, string>
        {
            ["CORE_COLLECTOR_CORE_ROOT"] = store,
            ["CORE_COLLECTOR_LOG_ROOT"] = Path.Join(work, "no-logs"),
            ["CORE_COLLECTOR_DOCKER_ENDPOINT"] = $"unix://{work}/no-docker.sock",
            ["CORE_COLLECTOR_MIN_FREE_BYTES"] = "0",
        };
        var pid = Environment.ProcessId; // a live process outside any container: filed at the node level
        var run = 0;
        // The kernel writes a core into a pipe, so both read one (cat file > file would copy in the
        // kernel, which no crash can), and both write a new file that is deleted after the round.
        Task<double> Collect(string file) => Probes.PipeAsync($"cat '{file}' | '{collector}' -P {pid} -s 11 -t {time + run++} -e bench", environment);
        async Task<double> Cat(string file)
        {
            var output = Path.Join(work, $"cat-{run++}.out");
            var seconds = await Probes.PipeAsync($"cat '{file}' | cat > '{output}'", environment);
            File.Delete(output);
            return seconds;
        }

        // Start-up alone: each program exec'd with the small core on stdin, as the kernel starts it.
        Task<double> StartCollector(string file) => Probes.PipeAsync($"exec '{collector}' -P {pid} -s 11 -t {time + run++} -e bench < '{file}'", environment);
        Task<double> StartCat(string file) => Probes.PipeAsync($"exec cat < '{file}' > '{Path.Join(work, "cat-tiny.out")}'", environment);

        var megabytes = new FileInfo(input).Length / 1e6;
        Directory.CreateDirectory(store);
        var (ours, cat) = await InterleaveAsync(rounds,
            async () => { var mbps = megabytes / await Collect(input); Clean(store); return mbps; },
            async () => megabytes / await Cat(input));
        report.Pair($"collector, {megabytes / 1000:0.##} GB core from a pipe", "MB/s", ours, cat, "`cat > file`", higherIsBetter: true, "≥ 0.9× cat", ours.Median >= 0.9 * cat.Median);

        var tiny = Path.Join(work, "tiny.core");
        await File.WriteAllBytesAsync(tiny, new byte[4096]);
        var (startOurs, startCat) = await InterleaveAsync(quick ? 5 : 30,
            async () => { var ms = await StartCollector(tiny) * 1000; Clean(store); return ms; },
            async () => await StartCat(tiny) * 1000);
        report.Pair("collector start-up (4 KiB core, process start to exit)", "ms", startOurs, startCat, "`cat > file`", higherIsBetter: false, "≤ 20 ms", startOurs.Median <= 20);
    }

    private static async Task MemoryAsync(Options options, ProfilerClient silo, Report report, int siloPid, long idleRss, bool quick)
    {
        var idle = new Samples();
        idle.Add(idleRss / 1048576.0);
        report.Alone("silo RSS, idle (after start and readiness)", "MiB", idle, "report", null);

        var core = options.Get("crash-core");
        var sessionCount = quick ? 20 : 200;
        var before = await ProfilerClient.SettledRssAsync(siloPid);
        var sessions = new List<string>();
        for (var i = 0; i < sessionCount; i++) sessions.Add(await silo.OpenSessionAsync(ProfilerClient.CoredumpBody(core, 3600)));
        await Task.WhenAll(sessions.Select(s => silo.Http.GetAsync(s + "api"))); // each one described once, as a visitor would
        var perSession = new Samples();
        perSession.Add((await ProfilerClient.SettledRssAsync(siloPid) - before) / 1024.0 / sessionCount);
        report.Alone($"silo RSS per session ({sessionCount} open)", "KiB", perSession, "report", null);
        foreach (var session in sessions) await silo.CloseAsync(session);

        var terminalCount = quick ? 3 : 10;
        var withTerminals = await silo.OpenSessionAsync(ProfilerClient.CoredumpBody(core, 3600));
        // A first terminal warms up what every terminal shares (JIT, pools), so the delta is per terminal.
        var viewers = new List<TerminalPeer> { await TerminalPeer.ConnectAsync(await silo.OpenTerminalAsync(withTerminals, Path.GetFileName(core)), ours: true) };
        await Probes.EchoAsync(viewers[0], 1, 0);
        before = await ProfilerClient.SettledRssAsync(siloPid);
        for (var i = 0; i < terminalCount; i++)
        {
            var viewer = await TerminalPeer.ConnectAsync(await silo.OpenTerminalAsync(withTerminals, Path.GetFileName(core)), ours: true);
            await Probes.EchoAsync(viewer, 1, 0); // gdb is up and its output has flowed through the silo
            viewers.Add(viewer);
        }

        var perTerminal = new Samples();
        perTerminal.Add((await ProfilerClient.SettledRssAsync(siloPid) - before) / 1024.0 / terminalCount);
        report.Alone($"silo RSS per terminal with a viewer ({terminalCount} open; gdb's own memory not included)", "KiB", perTerminal, "report", null);
        foreach (var viewer in viewers) await viewer.DisposeAsync();
        await silo.CloseAsync(withTerminals);
        report.Note(string.Create(CultureInfo.InvariantCulture, $"Memory figures are one reading each (RSS deltas), so median = p99."));
    }

    /// <summary>Removes what the collector wrote, so every round writes the same way.</summary>
    private static void Clean(string store)
    {
        foreach (var file in Directory.EnumerateFiles(store)) File.Delete(file);
    }
}
