using System.Diagnostics;
using System.Reflection;

namespace CoreFileProfiler.IntegrationTests.Support;

/// <summary>
/// The real silo, launched as its own process (as <c>dotnet run</c> would) on free loopback
/// ports with its own core root. Its JSON log goes to <see cref="LogPath"/>.
/// </summary>
public sealed class SiloProcess : IAsyncDisposable
{
    private static readonly string SiloAssembly = typeof(SiloProcess).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "SiloAssembly").Value!;

    private readonly Process _process;

    private SiloProcess(Process process, string node, int port, int siloPort, int forwardingPort, string coreRoot, string logPath)
    {
        _process = process;
        Node = node;
        Port = port;
        SiloPort = siloPort;
        ForwardingPort = forwardingPort;
        CoreRoot = coreRoot;
        LogPath = logPath;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
    }

    public const string NodeName = "localhost";

    public string Node { get; }

    public int Port { get; }

    /// <summary>The Orleans silo-to-silo port.</summary>
    public int SiloPort { get; }

    /// <summary>Where other gateways forward requests for this node (with Redis clustering).</summary>
    public int ForwardingPort { get; }

    public string CoreRoot { get; }

    public string LogPath { get; }

    public HttpClient Http { get; }

    /// <summary>One request through this silo's gateway, with headers (a Range, a validator) set by <paramref name="configure"/>.</summary>
    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, Action<HttpRequestMessage>? configure = null)
    {
        using var request = new HttpRequestMessage(method, path);
        configure?.Invoke(request);
        return await Http.SendAsync(request);
    }

    public int Pid => _process.Id;

    public static Task<SiloProcess> StartAsync(string workDirectory, params string[] extraArguments) =>
        StartAsync(workDirectory, NodeName, "127.0.0.1", extraArguments);

    /// <summary>A silo of <paramref name="node"/> whose gateway listens on <paramref name="listenAddress"/> (tests still call it on loopback).</summary>
    public static async Task<SiloProcess> StartAsync(string workDirectory, string node, string listenAddress, IEnumerable<string> extraArguments)
    {
        var silo = Launch(workDirectory, node, listenAddress, extraArguments);
        try
        {
            await silo.WaitUntilReadyAsync();
            return silo;
        }
        catch
        {
            await silo.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts the process without waiting for it to be ready (for a silo that should never be).</summary>
    public static SiloProcess Launch(string workDirectory, string node, string listenAddress, IEnumerable<string> extraArguments)
    {
        var port = FreePort.Next();
        var siloPort = FreePort.Next();
        var forwardingPort = FreePort.Next();
        var coreRoot = Path.Join(workDirectory, "cores");
        Directory.CreateDirectory(workDirectory);
        Directory.CreateDirectory(coreRoot);
        var logPath = Path.Join(workDirectory, $"silo-{port}.log");
        var start = StartInfo(
        [
            $"--Urls=http://{listenAddress}:{port}",
            $"--Profiler:NodeName={node}",
            $"--Profiler:CoreRoot={coreRoot}",
            $"--Cluster:SiloPort={siloPort}",
            $"--Cluster:ForwardingPort={forwardingPort}",
            .. extraArguments,
        ]);
        var process = Process.Start(start)!;
        var log = new StreamWriter(logPath) { AutoFlush = true };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.Exited += (_, _) => { lock (log) log.Flush(); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        return new SiloProcess(process, node, port, siloPort, forwardingPort, coreRoot, logPath);
    }

    public bool HasExited => _process.HasExited;

    /// <summary>Whether <c>/readyz</c> answers 200 right now.</summary>
    public async Task<bool> IsReadyAsync()
    {
        try
        {
            using var ready = await Http.GetAsync("/readyz");
            return ready.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false; // not listening (yet)
        }
    }

    /// <summary>A silo expected to refuse its settings: its exit code and everything it printed, within 60 s.</summary>
    public static async Task<(int ExitCode, string Output)> RunToRefusalAsync(params string[] arguments)
    {
        using var process = Process.Start(StartInfo([$"--Urls=http://127.0.0.1:{FreePort.Next()}", $"--Cluster:SiloPort={FreePort.Next()}", $"--Cluster:ForwardingPort={FreePort.Next()}", .. arguments]))!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("The silo did not refuse its settings within 60 s; it started: " + await stdout);
        }

        return (process.ExitCode, await stdout + await stderr);
    }

    /// <summary>The TCP ports this silo process listens on (from /proc: its socket inodes in the LISTEN state).</summary>
    public IReadOnlySet<int> ListeningPorts() => ProcessSockets.ListeningPorts(Pid);

    private static ProcessStartInfo StartInfo(IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(SiloAssembly)!,
            Environment = { ["ASPNETCORE_ENVIRONMENT"] = "Production", ["DOTNET_gcServer"] = "0" },
        };
        start.ArgumentList.Add(SiloAssembly);
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        return start;
    }

    /// <summary>The silo's log so far: one JSON object per line.</summary>
    public string Log()
    {
        try
        {
            using var reader = new StreamReader(new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite));
            return reader.ReadToEnd();
        }
        catch (IOException e)
        {
            return e.Message;
        }
    }

    public string LogTail() => string.Join('\n', Log().Split('\n').TakeLast(40));

    private async Task WaitUntilReadyAsync()
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (_process.HasExited) throw new InvalidOperationException($"The silo exited with {_process.ExitCode}:\n{LogTail()}");
            if (await IsReadyAsync()) return;
            await Task.Delay(100);
        }

        throw new TimeoutException($"The silo was not ready within 60 s:\n{LogTail()}");
    }

    /// <summary>SIGTERM, as the kubelet stops a pod in a rolling update; waits for the silo's own, orderly exit.</summary>
    public async Task TerminateAsync(TimeSpan within)
    {
        if (_process.HasExited) return;
        var (code, output) = await Command.RunAsync("kill", ["-TERM", Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        if (code != 0) throw new InvalidOperationException($"kill -TERM {Pid} failed: {output}");
        await _process.WaitForExitAsync().WaitAsync(within);
    }

    /// <summary>SIGKILL to the silo alone: whatever it started must die by its own arrangements.</summary>
    public async Task KillAsync()
    {
        if (_process.HasExited) return;
        _process.Kill(entireProcessTree: false);
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
