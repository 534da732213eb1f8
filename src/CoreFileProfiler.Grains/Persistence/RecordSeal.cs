using System.Security.Cryptography;
using System.Text;

namespace CoreFileProfiler.Grains.Persistence;

/// <summary>
/// Seals what the silos keep in shared storage with a key the silos hold and the storage does not
/// (docs/architecture.md, "What survives a restart"): AES-256-GCM, so a record is neither readable
/// nor forgeable there, bound to the name it is stored under, so a sealed record copied to another
/// name does not open; and names storage keys by a keyed hash, so they do not reveal session ids.
/// </summary>
public sealed class RecordSeal
{
    private const byte Version = 1;
    private const int NonceBytes = 12;
    private const int TagBytes = 16;
    private const int NameBytes = 24; // 192 bits: no two ids collide, and nothing to learn from the name

    private readonly byte[] _sealingKey;
    private readonly byte[] _namingKey;

    private RecordSeal(byte[] sealingKey, byte[] namingKey)
    {
        _sealingKey = sealingKey;
        _namingKey = namingKey;
    }

    /// <summary>
    /// Keys derived (HKDF-SHA256, one purpose label each) from a secret every silo of the cluster is
    /// given and the storage is not; <paramref name="context"/> (the service id) keeps two services apart.
    /// </summary>
    public static RecordSeal FromSecret(string secret, string context)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        var material = Encoding.UTF8.GetBytes(secret);
        var salt = Encoding.UTF8.GetBytes(context);
        return new RecordSeal(
            HKDF.DeriveKey(HashAlgorithmName.SHA256, material, 32, salt, "core-file-profiler session records: AES-256-GCM"u8.ToArray()),
            HKDF.DeriveKey(HashAlgorithmName.SHA256, material, 32, salt, "core-file-profiler session records: storage names"u8.ToArray()));
    }

    /// <summary>Keys of this process alone, for storage that lives and dies with it (the single-node memory storage).</summary>
    public static RecordSeal ForThisProcess() => new(RandomNumberGenerator.GetBytes(32), RandomNumberGenerator.GetBytes(32));

    /// <summary>The storage name of <paramref name="id"/>: the same on every silo of the cluster, and no way back to the id.</summary>
    public string NameOf(string id) =>
        Convert.ToBase64String(HMACSHA256.HashData(_namingKey, Encoding.UTF8.GetBytes(id)).AsSpan(0, NameBytes)).Replace('+', '-').Replace('/', '_');

    /// <summary>Version, nonce, ciphertext and tag of <paramref name="plain"/>, to be stored under <paramref name="storedAs"/> only.</summary>
    public byte[] Seal(ReadOnlySpan<byte> plain, string storedAs)
    {
        var sealedRecord = new byte[1 + NonceBytes + plain.Length + TagBytes];
        sealedRecord[0] = Version;
        var nonce = sealedRecord.AsSpan(1, NonceBytes);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_sealingKey, TagBytes);
        aes.Encrypt(nonce, plain, sealedRecord.AsSpan(1 + NonceBytes, plain.Length), sealedRecord.AsSpan(^TagBytes), Encoding.UTF8.GetBytes(storedAs));
        return sealedRecord;
    }

    /// <summary>
    /// What <see cref="Seal"/> sealed for <paramref name="storedAs"/>, or null for anything else: not sealed
    /// with this cluster's key, changed, cut short, or sealed for another name.
    /// </summary>
    public byte[]? Open(ReadOnlySpan<byte> sealedRecord, string storedAs)
    {
        if (sealedRecord.Length < 1 + NonceBytes + TagBytes || sealedRecord[0] != Version) return null;
        var plain = new byte[sealedRecord.Length - 1 - NonceBytes - TagBytes];
        using var aes = new AesGcm(_sealingKey, TagBytes);
        try
        {
            aes.Decrypt(sealedRecord.Slice(1, NonceBytes), sealedRecord.Slice(1 + NonceBytes, plain.Length), sealedRecord[^TagBytes..], plain, Encoding.UTF8.GetBytes(storedAs));
            return plain;
        }
        catch (AuthenticationTagMismatchException)
        {
            return null;
        }
    }
}
