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

    /// <summary>Every key and, for hashes, every field and value, as redis-cli prints them (binary bytes escaped): what anyone who can read this Redis sees.</summary>
    public async Task<string> DumpAsync()
    {
        var dump = new System.Text.StringBuilder();
        foreach (var key in await KeysAsync("*"))
        {
            dump.AppendLine(key);
            var (_, output) = await Command.RunAsync("redis-cli", [.. Connection, "--no-raw", "HGETALL", key]); // other types answer WRONGTYPE
            dump.AppendLine(output);
        }

        return dump.ToString();
    }

    /// <summary>The length of <paramref name="field"/>'s value in the hash <paramref name="key"/>.</summary>
    public async Task<int> FieldLengthAsync(string key, string field) =>
        int.Parse((await CommandAsync("HSTRLEN", key, field)).Single(), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>What an attacker with write access would do: <paramref name="to"/> made a copy of <paramref name="from"/>.</summary>
    public Task CopyAsync(string from, string to) => CommandAsync("COPY", from, to, "REPLACE");

    /// <summary>Sets a field of a hash, as anyone with write access can.</summary>
    public Task SetFieldAsync(string key, string field, string value) => CommandAsync("HSET", key, field, value);

    private string[] Connection => ["-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--no-auth-warning", "-a", Password];

    private async Task<string[]> CommandAsync(params string[] command)
    {
        var (code, output) = await Command.RunAsync("redis-cli", [.. Connection, "--raw", .. command]);
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
