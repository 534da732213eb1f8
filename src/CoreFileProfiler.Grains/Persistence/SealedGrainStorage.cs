using Microsoft.Extensions.Logging;
using Orleans.Serialization;
using Orleans.Storage;

namespace CoreFileProfiler.Grains.Persistence;

/// <summary>
/// The grain storage the grains see as <see cref="SessionStorage.Name"/>: every record sealed by
/// <see cref="RecordSeal"/> before it reaches the storage underneath (Redis, or memory), under a grain id
/// whose key is the keyed hash of the real one, so neither the storage's keys, its values nor its own log
/// lines hold a session id. A stored record that does not open is not trusted: it is logged and read as
/// no record, so the session it claims to be is answered as ended; its ETag is kept, so the next write
/// replaces it.
/// </summary>
public sealed class SealedGrainStorage(IGrainStorage underneath, RecordSeal seal, Serializer serializer, ILogger<SealedGrainStorage> logger) : IGrainStorage
{
    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var (storedId, storedAs) = Stored(stateName, grainId);
        var stored = new GrainState<SealedRecord>(new SealedRecord());
        await underneath.ReadStateAsync(stateName, storedId, stored);
        grainState.ETag = stored.ETag;
        grainState.RecordExists = false;
        if (!stored.RecordExists || stored.State?.Bytes is not { Length: > 0 } sealedRecord) return;

        var plain = seal.Open(sealedRecord, storedAs);
        T? value = default;
        try
        {
            if (plain is not null) value = serializer.Deserialize<T>(plain);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            plain = null; // sealed with our key, yet not a record of this type: trusted no more than a forgery
        }

        if (plain is null || value is null)
        {
            // The grain type and state name only: the grain id holds a session id.
            logger.LogWarning(
                "A stored {StateName} record of a {GrainType} does not open with this cluster's key (forged, altered, or copied from another record's key): ignored",
                stateName, grainId.Type.ToString());
            return;
        }

        grainState.State = value;
        grainState.RecordExists = true;
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var (storedId, storedAs) = Stored(stateName, grainId);
        var stored = new GrainState<SealedRecord>(new SealedRecord { Bytes = seal.Seal(serializer.SerializeToArray(grainState.State), storedAs) }, grainState.ETag);
        await underneath.WriteStateAsync(stateName, storedId, stored);
        grainState.ETag = stored.ETag;
        grainState.RecordExists = true;
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var stored = new GrainState<SealedRecord>(new SealedRecord(), grainState.ETag) { RecordExists = grainState.RecordExists };
        await underneath.ClearStateAsync(stateName, Stored(stateName, grainId).Id, stored);
        grainState.ETag = stored.ETag;
        grainState.RecordExists = false;
    }

    /// <summary>The id the storage underneath keeps the record under, and the name its seal is bound to.</summary>
    private (GrainId Id, string StoredAs) Stored(string stateName, GrainId grainId)
    {
        var id = GrainId.Create(grainId.Type, seal.NameOf(grainId.ToString()));
        return (id, $"{stateName}/{id}");
    }
}
