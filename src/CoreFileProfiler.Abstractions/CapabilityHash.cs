using System.Security.Cryptography;
using System.Text;

namespace CoreFileProfiler;

/// <summary>
/// What logs and messages say instead of a capability (a session or terminal id, which grants access to
/// whoever holds it): the first 12 hex digits of its SHA-256. Enough to tell sessions apart and to find
/// one's lines from its URL; nothing to rebuild the URL from.
/// </summary>
public static class CapabilityHash
{
    public const int Length = 12;

    public static string Of(string capability) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(capability)))[..Length];
}
