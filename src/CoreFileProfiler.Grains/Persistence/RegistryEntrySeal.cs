using Microsoft.Extensions.Logging;
using Orleans.Serialization;

namespace CoreFileProfiler.Grains.Persistence;

/// <summary>
/// How a registry entry is stored, whatever the storage: under the keyed hash of its session id, sealed and
/// bound to its node and that name, so an entry moved to another node or name, altered or forged does not open.
/// </summary>
public sealed class RegistryEntrySeal(RecordSeal seal, Serializer serializer, ILogger<RegistryEntrySeal> logger)
{
    public string FieldOf(string sessionId) => seal.NameOf(sessionId);

    public byte[] Seal(string node, RegisteredSession entry) =>
        seal.Seal(serializer.SerializeToArray(entry), BoundTo(node, FieldOf(entry.SessionId)));

    /// <summary>The entry stored under <paramref name="field"/>, or null (logged) when it is not one this cluster sealed there.</summary>
    public RegisteredSession? Open(string node, string field, ReadOnlySpan<byte> stored)
    {
        RegisteredSession? entry = null;
        try
        {
            if (seal.Open(stored, BoundTo(node, field)) is { } plain) entry = serializer.Deserialize<RegisteredSession>(plain);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            entry = null;
        }

        // The name must also be its own id's: a sealed entry can only name the session it was sealed for.
        if (entry is not null && FieldOf(entry.SessionId) == field) return entry;
        logger.LogWarning("An entry of {Node}'s session registry does not open with this cluster's key (forged, altered, or moved): ignored", node);
        return null;
    }

    private static string BoundTo(string node, string field) => $"registry/{node}/{field}";
}
