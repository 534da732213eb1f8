using System.Diagnostics;
using System.Net.Sockets;

namespace CoreFileProfiler.IntegrationTests.Support;

/// <summary>A real redis-server on a free loopback port, with no persistence and a password, for Orleans clustering.</summary>
public sealed class RedisServer : IAsyncDisposable
{
    private readonly Process _process;

    private RedisServer(Process process, int port, string password)
    {
        _process = process;
        Port = port;
        Password = password;
    }

    public int Port { get; }

    public string Password { get; }

    /// <summary>The StackExchange.Redis connection string, password included.</summary>
    public string ConnectionString => $"127.0.0.1:{Port},password={Password}";

    /// <summary>Starts redis-server with <paramref name="configFile"/> (as the chart runs it) or with a fresh random password.</summary>
    public static async Task<RedisServer> StartAsync(string? configFile = null, string? password = null)
    {
        var port = FreePort.Next();
        password ??= Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        var start = new ProcessStartInfo("redis-server") { RedirectStandardOutput = true, RedirectStandardError = true };
        if (configFile is not null) start.ArgumentList.Add(configFile);
        else foreach (var argument in new[] { "--requirepass", password, "--save", "", "--appendonly", "no" }) start.ArgumentList.Add(argument);
        foreach (var argument in new[] { "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1" }) start.ArgumentList.Add(argument);
        var server = new RedisServer(Process.Start(start)!, port, password);
        server._process.BeginOutputReadLine();
        server._process.BeginErrorReadLine();
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", port);
                return server;
            }
            catch (SocketException) when (clock.Elapsed < TimeSpan.FromSeconds(10) && !server._process.HasExited)
            {
                await Task.Delay(50);
            }
            catch
            {
                await server.DisposeAsync();
                throw;
            }
        }
    }

    /// <summary>Fields and values of the hash <paramref name="key"/> (Orleans keeps its membership table in one).</summary>
    public async Task<Dictionary<string, string>> HashAsync(string key)
    {
        var lines = await CommandAsync("HGETALL", key);
        return Enumerable.Range(0, lines.Length / 2).ToDictionary(i => lines[2 * i], i => lines[2 * i + 1]);
    }

    /// <summary>The keys that match <paramref name="pattern"/> (Orleans keeps each grain's stored state under its own).</summary>
    public Task<string[]> KeysAsync(string pattern) => CommandAsync("KEYS", pattern);

    private async Task<string[]> CommandAsync(params string[] command)
    {
        var (code, output) = await Command.RunAsync("redis-cli",
            ["-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--no-auth-warning", "-a", Password, "--raw", .. command]);
        if (code != 0) throw new InvalidOperationException($"redis-cli failed: {output}");
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
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
