namespace CoreFileProfiler;

/// <summary>
/// Watch ids are read-only capabilities for one terminal: the same shape as a
/// <see cref="SessionId"/> (<c>&lt;node&gt;.&lt;issue time and 136 random bits&gt;</c>) but drawn
/// afresh, so a watch link reveals nothing of its session's URL. The node routes a request to the
/// node's profiler, which maps the id to its terminal; the issue time tells a restarted node's old
/// links (gone) from ids it never issued.
/// </summary>
public static class WatchId
{
    public static string Create(string node, DateTimeOffset issuedAt) => SessionId.Create(node, issuedAt);

    /// <summary>The node that issued the id; false for anything that is not an id we could have made.</summary>
    public static bool TryGetNode(string? id, out string node) => SessionId.TryGetNode(id, out node);

    /// <summary>When the id says it was issued; only meaningful for a well-formed id.</summary>
    public static DateTimeOffset IssuedAt(string id) => SessionId.IssuedAt(id);
}
