using System.Globalization;
using CoreFileProfiler.Bench;

// bench-driver suite …: every pair of bench/run.sh, interleaved, into a markdown table.
// bench-driver processor|echo|download …: one figure, for ad-hoc comparisons (e.g. across gateways).
// bench-driver bare-kestrel --url …: serves the processor's JSON with nothing behind it, until killed.
var options = new Options(args);
using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256 }) { Timeout = TimeSpan.FromMinutes(10) };
switch (args.FirstOrDefault())
{
    case "suite":
        await Suite.RunAsync(options, http);
        break;
    case "processor":
    {
        http.BaseAddress = new Uri(options.Get("url"));
        var body = ProfilerClient.CoredumpBody(options.Get("filepath"), options.Number("expiration", 5), options.Find("node"));
        await Probes.ProcessorAsync(http, body, 1, TimeSpan.FromSeconds(1)); // warm-up
        var (latency, perSecond, failures) = await Probes.ProcessorAsync(http, body, options.Number("concurrency", 1), TimeSpan.FromSeconds(options.Number("seconds", 10)));
        Console.WriteLine(FormattableString.Invariant($"p50 {latency.Median:0.00} ms  p99 {latency.P99:0.00} ms  {perSecond:0}/s  {latency.Count} calls  {failures} failed"));
        break;
    }
    case "bare-kestrel":
        await BareKestrel.RunAsync(options.Get("url"));
        break;
    case "echo":
    {
        await using var terminal = await TerminalPeer.ConnectAsync(options.Get("ws"), ours: !options.Has("websocketd"));
        var samples = await Probes.EchoAsync(terminal, options.Number("count", 1000), options.Number("warmup", 100));
        Console.WriteLine(FormattableString.Invariant($"p50 {samples.Median:0.000} ms  p99 {samples.P99:0.000} ms  ({samples.Count})"));
        break;
    }
    case "download":
    {
        var from = options.Find("from") is { } offset ? long.Parse(offset, CultureInfo.InvariantCulture) : (long?)null;
        for (var i = 0; i < options.Number("runs", 3); i++)
        {
            Console.WriteLine(FormattableString.Invariant($"{await Probes.DownloadAsync(http, options.Get("url"), from):0} MB/s"));
        }

        break;
    }
    default:
        Console.Error.WriteLine("usage: bench-driver suite|processor|bare-kestrel|echo|download --option value …  (see bench/run.sh)");
        return 2;
}

return 0;
