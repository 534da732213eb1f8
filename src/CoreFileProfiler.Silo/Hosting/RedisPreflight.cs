using StackExchange.Redis;

namespace CoreFileProfiler.Silo.Hosting;

/// <summary>
/// One PING through <c>Cluster:Redis</c> before Orleans starts, so that a wrong password or an
/// unreachable server is one line naming the setting, not a membership-table stack trace. The
/// message names the endpoints, never the password.
/// </summary>
public static class RedisPreflight
{
    private const string Setting = $"{ProfilerClusterOptions.Section}:{nameof(ProfilerClusterOptions.Redis)}";

    public static void Check(string connectionString)
    {
        ConfigurationOptions options;
        try
        {
            options = ConfigurationOptions.Parse(connectionString);
        }
        catch (ArgumentException e)
        {
            throw new StartupRefusedException(Setting, $"not a Redis connection string ({e.Message})");
        }

        var endpoints = string.Join(", ", options.EndPoints.Select(e => e.ToString()));
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
            throw new StartupRefusedException(Setting, IsRefusedCredentials(e)
                ? $"Redis at {endpoints} refused the credentials: check the password in the connection string"
                : $"cannot reach Redis at {endpoints} ({FirstSentence(e.Message)})");
        }
    }

    private static bool IsRefusedCredentials(Exception e) =>
        e.Message.Contains("WRONGPASS", StringComparison.Ordinal) || e.Message.Contains("NOAUTH", StringComparison.Ordinal)
        || e.Message.Contains("authentication", StringComparison.OrdinalIgnoreCase);

    private static string FirstSentence(string message) => message.Split(['\n', '.'], 2)[0].Trim();
}
