using StackExchange.Redis;

namespace CoreFileProfiler.Silo.Hosting;

/// <summary>
/// One PING through <c>Cluster:Redis</c> before Orleans starts, so that a wrong password or an
/// unreachable server is one line naming the setting, not a membership-table stack trace. The
/// line repeats nothing of the connection string.
/// </summary>
public static class RedisPreflight
{
    private const string Setting = $"{ProfilerClusterOptions.Section}:{nameof(ProfilerClusterOptions.Redis)}";

    public static void Check(string connectionString)
    {
        // A URL (redis://:password@host) would be taken for a host name and echoed: refuse it unread.
        if (connectionString.Contains("://", StringComparison.Ordinal))
        {
            throw new StartupRefusedException(Setting, "is a URL; give a StackExchange.Redis connection string such as 'redis:6379,password=…'");
        }

        ConfigurationOptions options;
        try
        {
            options = ConfigurationOptions.Parse(connectionString);
        }
        catch (ArgumentException)
        {
            throw new StartupRefusedException(Setting, "is not a StackExchange.Redis connection string ('host:port,password=…')");
        }

        options.AbortOnConnectFail = true;
        options.ConnectRetry = 1;
        options.ConnectTimeout = 3_000; // a refused password shows only as this timeout running out
        try
        {
            using var redis = ConnectionMultiplexer.Connect(options, TextWriter.Null);
            redis.GetDatabase().Ping();
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            // Neither the endpoints nor the client's message: with a comma in a password, either can hold part of it.
            throw new StartupRefusedException(Setting, IsRefusedCredentials(e)
                ? "Redis refused the credentials: check the password in the connection string"
                : "cannot reach Redis at the endpoints the connection string names");
        }
    }

    private static bool IsRefusedCredentials(Exception e) =>
        e.Message.Contains("WRONGPASS", StringComparison.Ordinal) || e.Message.Contains("NOAUTH", StringComparison.Ordinal)
        || e.Message.Contains("authentication", StringComparison.OrdinalIgnoreCase);
}
