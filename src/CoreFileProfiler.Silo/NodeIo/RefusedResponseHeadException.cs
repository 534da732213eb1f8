namespace CoreFileProfiler.Silo.NodeIo;

/// <summary>An owning gateway's response head that <see cref="UpstreamResponseHead"/> will not trust; the message says why.</summary>
internal sealed class RefusedResponseHeadException(string reason) : Exception(reason);
