using CoreFileProfiler.Grains.Persistence;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using StackExchange.Redis;

namespace CoreFileProfiler.Silo.Hosting;

/// <summary>
/// The nodes' session registries in Redis: a hash per node (<c>{ServiceId}/registry/{node}</c>), a field per
/// live session named by the keyed hash of its id, holding its sealed entry. Opening a session is one HSET,
/// ending it one HDEL, whatever the number of live sessions; a restart reads the node's hash once.
/// </summary>
public sealed class RedisSessionRegistry(SessionRedisConnection redis, RegistryEntrySeal entries, IOptions<ClusterOptions> cluster) : ISessionRegistry
{
    public async Task SaveAsync(string node, RegisteredSession entry) =>
        await (await DatabaseAsync()).HashSetAsync(KeyOf(node), entries.FieldOf(entry.SessionId), entries.Seal(node, entry));

    public async Task RemoveAsync(string node, string sessionId) =>
        await (await DatabaseAsync()).HashDeleteAsync(KeyOf(node), entries.FieldOf(sessionId));

    public async Task<IReadOnlyList<RegisteredSession>> ReadAllAsync(string node)
    {
        var stored = await (await DatabaseAsync()).HashGetAllAsync(KeyOf(node));
        return stored.Select(field => entries.Open(node, field.Name!, (byte[])field.Value!)).OfType<RegisteredSession>().ToList();
    }

    private async Task<IDatabase> DatabaseAsync() => (await redis.GetAsync()).GetDatabase();

    private RedisKey KeyOf(string node) => $"{cluster.Value.ServiceId}/registry/{node}";
}
