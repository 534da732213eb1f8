namespace CoreFileProfiler.Node.Sandbox;

/// <summary>gdb cannot be confined here right now (no sandbox on this node, or every sandbox uid in use): it is not started at all.</summary>
public sealed class SandboxUnavailableException(string message) : Exception(message);
