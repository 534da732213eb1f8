using StackExchange.Redis;

namespace CoreFileProfiler.Silo.Hosting;

/// <summary>
/// The one connection to <c>Cluster:Redis</c> that the sessions' grain storage and their registry share, so
/// that a session's records travel one connection, in the order they were written. Made on first use, closed
/// with the host.
/// </summary>
public sealed class SessionRedisConnection(string connectionString) : IAsyncDisposable
{
    private readonly Lazy<Task<IConnectionMultiplexer>> _connection = new(async () =>
        await ConnectionMultiplexer.ConnectAsync(ConfigurationOptions.Parse(connectionString)));

    /// <summary>The parsed connection string, for whoever checks it is there (Orleans' storage options).</summary>
    public ConfigurationOptions Options { get; } = ConfigurationOptions.Parse(connectionString);

    public Task<IConnectionMultiplexer> GetAsync() => _connection.Value;

    public async ValueTask DisposeAsync()
    {
        if (!_connection.IsValueCreated) return;
        try
        {
            await (await _connection.Value).DisposeAsync();
        }
        catch (RedisException)
        {
            // it never connected: nothing to close
        }
    }
}
