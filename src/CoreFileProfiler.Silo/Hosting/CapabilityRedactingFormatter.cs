using System.Text.RegularExpressions;
using CoreFileProfiler.Grains;
using Serilog.Events;
using Serilog.Formatting;

namespace CoreFileProfiler.Silo.Hosting;

/// <summary>
/// Writes each log line through <paramref name="inner"/> with every capability in it replaced by
/// <c>&lt;redacted:hash&gt;</c> (<see cref="CapabilityHash"/>): the segment after
/// <c>/sessions/</c>, <c>/terminals/</c> or <c>/watch/</c> in any path (the request log, ASP.NET's request scope), and the
/// key of a session grain in Orleans' own messages. Our log calls pass hashes already; this covers the
/// text we do not write, so no log line carries a URL that grants access.
/// </summary>
public sealed partial class CapabilityRedactingFormatter(ITextFormatter inner) : ITextFormatter
{
    /// <summary>Route segments followed by a capability; a route that adds one adds its segment here.</summary>
    private const string CapabilityRoutes = "sessions|terminals|watch";

    private static readonly string[] Routes = CapabilityRoutes.Split('|').Select(route => $"/{route}/").ToArray();

    /// <summary>Characters that end a segment in a path or in the JSON or text around it.</summary>
    private const string SegmentEnd = @"/\s""'?#<>\\,;)\]";

    public void Format(LogEvent logEvent, TextWriter output)
    {
        using var line = new StringWriter();
        inner.Format(logEvent, line);
        output.Write(Redact(line.ToString()));
    }

    public static string Redact(string text)
    {
        if (!Routes.Any(route => text.Contains(route, StringComparison.OrdinalIgnoreCase))
            && !text.Contains(DebugSessionGrain.TypeName + "/", StringComparison.Ordinal))
        {
            return text; // nearly every line: nothing to look for
        }

        return SessionGrainKey().Replace(CapabilityInPath().Replace(text, Hashed), Hashed);
    }

    private static string Hashed(Match match) => $"<redacted:{CapabilityHash.Of(match.Value)}>";

    /// <summary>Routing ignores case and repeated slashes, so <c>/SESSIONS//…</c> reaches a session too.</summary>
    [GeneratedRegex($"(?<=/(?:{CapabilityRoutes})/+)[^{SegmentEnd}]+", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex CapabilityInPath();

    /// <summary>A session grain's id as Orleans writes it: <c>debugsession/&lt;node&gt;/&lt;sessionId&gt;</c>.</summary>
    [GeneratedRegex($"(?<={DebugSessionGrain.TypeName}/[^{SegmentEnd}]+/)[^{SegmentEnd}]+", RegexOptions.CultureInvariant)]
    private static partial Regex SessionGrainKey();
}
