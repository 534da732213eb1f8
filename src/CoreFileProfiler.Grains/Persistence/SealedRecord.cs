namespace CoreFileProfiler.Grains.Persistence;

/// <summary>A record as the storage under <see cref="SealedGrainStorage"/> keeps it: sealed bytes only (a class, since storages create an empty one when there is no record).</summary>
[GenerateSerializer]
public sealed class SealedRecord
{
    [Id(0)]
    public byte[] Bytes { get; set; } = [];
}
