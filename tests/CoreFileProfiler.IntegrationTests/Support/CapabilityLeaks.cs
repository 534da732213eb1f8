using System.Security.Cryptography;
using System.Text;

namespace CoreFileProfiler.IntegrationTests.Support;

/// <summary>
/// Looks for capabilities (session, terminal, watch ids) in text that operators see: the whole of
/// each, and every 20-character piece of the longer ones, since a truncated or re-encoded id still
/// narrows a guess.
/// </summary>
public static class CapabilityLeaks
{
    public const int PieceLength = 20;

    /// <summary>Each place a capability or a piece of it occurs, with the text around it; empty when none does.</summary>
    public static IReadOnlyList<string> In(string text, IEnumerable<string> capabilities) =>
        capabilities
            .Select(capability => (Capability: capability, At: Pieces(capability)
                .Select(piece => text.IndexOf(piece, StringComparison.Ordinal)).Where(at => at >= 0).DefaultIfEmpty(-1).Min()))
            .Where(found => found.At >= 0)
            .Select(found => $"'{found.Capability}' at {found.At}: …{text[Math.Max(0, found.At - 160)..Math.Min(text.Length, found.At + 160)]}…")
            .ToList();

    /// <summary>What the logs say instead: the first 12 hex digits of the capability's SHA-256.</summary>
    public static string HashOf(string capability) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(capability)))[..12];

    private static IEnumerable<string> Pieces(string capability) =>
        capability.Length <= PieceLength
            ? [capability]
            : Enumerable.Range(0, capability.Length - PieceLength + 1).Select(start => capability.Substring(start, PieceLength));
}
