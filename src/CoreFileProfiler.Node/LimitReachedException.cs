namespace CoreFileProfiler.Node;

/// <summary>
/// A configured limit of the node refused the request (viewers of a terminal, gdb processes, a flooded
/// input queue); the message names the setting. Gateways answer it as "try again later".
/// </summary>
public sealed class LimitReachedException(string message) : Exception(message);
