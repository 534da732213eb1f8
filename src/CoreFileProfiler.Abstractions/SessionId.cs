using System.Buffers.Binary;
using System.Security.Cryptography;

namespace CoreFileProfiler;

/// <summary>
/// Session ids are capabilities: <c>&lt;node&gt;.&lt;token&gt;</c>, where the token is the issue time
/// (32-bit Unix seconds) and 136 random bits, in base64url. Carrying the node lets any gateway
/// route a request to the owning node with no shared lookup table that a lost silo could take
/// down; carrying the time lets a restarted node tell its old sessions (gone) from ids it never
/// issued.
/// </summary>
public static class SessionId
{
    private const int TimeBytes = 4;
    private const int TokenBytes = TimeBytes + 17; // a multiple of 3, so base64 needs no padding
    private const int TokenChars = TokenBytes / 3 * 4;

    public static string Create(string node, DateTimeOffset issuedAt)
    {
        Span<byte> token = stackalloc byte[TokenBytes];
        BinaryPrimitives.WriteUInt32BigEndian(token, (uint)issuedAt.ToUnixTimeSeconds());
        RandomNumberGenerator.Fill(token[TimeBytes..]);
        return $"{node}.{Convert.ToBase64String(token).Replace('+', '-').Replace('/', '_')}";
    }

    /// <summary>Splits an id into its node; false for anything that is not an id we could have made.</summary>
    public static bool TryGetNode(string? id, out string node)
    {
        node = "";
        if (id is null) return false;
        var dot = id.LastIndexOf('.');
        if (dot < 1 || id.Length - dot - 1 != TokenChars) return false;
        foreach (var c in id.AsSpan(dot + 1))
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_')) return false;
        }

        node = id[..dot];
        return NodeName.IsValid(node);
    }

    /// <summary>When the id says it was issued (to the second); only meaningful for a well-formed id.</summary>
    public static DateTimeOffset IssuedAt(string id)
    {
        var token = Convert.FromBase64String(id[(id.LastIndexOf('.') + 1)..][..8].Replace('-', '+').Replace('_', '/'));
        return DateTimeOffset.FromUnixTimeSeconds(BinaryPrimitives.ReadUInt32BigEndian(token));
    }

    /// <summary>The DebugSessionGrain key: <c>&lt;node&gt;/&lt;sessionId&gt;</c>.</summary>
    public static string GrainKey(string node, string id) => $"{node}/{id}";
}
