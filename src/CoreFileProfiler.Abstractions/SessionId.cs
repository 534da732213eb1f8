using System.Security.Cryptography;

namespace CoreFileProfiler;

/// <summary>
/// Session ids are capabilities: <c>&lt;node&gt;.&lt;token&gt;</c>, where the token is 144 random bits
/// in base64url. Carrying the node lets any gateway route a request to the owning node with no
/// shared lookup table that a lost silo could take down.
/// </summary>
public static class SessionId
{
    private const int TokenBytes = 18; // 144 bits; a multiple of 3, so base64 needs no padding.
    private const int TokenChars = TokenBytes / 3 * 4;

    public static string Create(string node) =>
        $"{node}.{Convert.ToBase64String(RandomNumberGenerator.GetBytes(TokenBytes)).Replace('+', '-').Replace('/', '_')}";

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

    /// <summary>The DebugSessionGrain key: <c>&lt;node&gt;/&lt;sessionId&gt;</c>.</summary>
    public static string GrainKey(string node, string id) => $"{node}/{id}";
}
