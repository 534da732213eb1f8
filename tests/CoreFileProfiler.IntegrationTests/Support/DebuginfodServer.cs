using System.Diagnostics;
using System.Globalization;

namespace CoreFileProfiler.IntegrationTests.Support;

/// <summary>
/// Debian's real <c>debuginfod</c> server, serving the ELF files of one directory (<c>-F</c>) on a free port, with
/// its database in the test's directory: an upstream such as a distribution's. Stopped by its pid.
/// </summary>
public sealed class DebuginfodServer : IAsyncDisposable
{
    private readonly Process _process;

    private DebuginfodServer(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public string Url => $"http://127.0.0.1:{Port}/";

    /// <summary>Starts it on <paramref name="files"/> and waits until it serves <paramref name="indexed"/> (its first scan is done).</summary>
    public static async Task<DebuginfodServer> StartAsync(string files, string workDirectory, string indexed)
    {
        var port = FreePort.Next();
        var start = new ProcessStartInfo("debuginfod") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "-F", "-p", port.ToString(CultureInfo.InvariantCulture), "-d", Path.Join(workDirectory, "debuginfod.sqlite"), "-g", "0", files })
        {
            start.ArgumentList.Add(argument);
        }

        var server = new DebuginfodServer(Process.Start(start)!, port);
        var log = new System.Text.StringBuilder();
        server._process.OutputDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        server._process.ErrorDataReceived += (_, e) => { lock (log) log.AppendLine(e.Data); };
        server._process.BeginOutputReadLine();
        server._process.BeginErrorReadLine();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(60) && !server._process.HasExited)
        {
            try
            {
                using var response = await http.GetAsync($"{server.Url}buildid/{indexed}/executable", HttpCompletionOption.ResponseHeadersRead);
                if (response.IsSuccessStatusCode) return server;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // not listening yet
            }

            await Task.Delay(200);
        }

        await server.DisposeAsync();
        lock (log) throw new TimeoutException($"debuginfod did not serve {indexed} within 60 s:\n{log}");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
