namespace CoreFileProfiler.Silo.Notifications;

/// <summary>One announcement of a crash group: its state after the latest crash, and how many crashes it covers.</summary>
/// <param name="Node">The node the crashes happened on.</param>
/// <param name="Group">The group as of the latest crash announced.</param>
/// <param name="CountSinceLastEvent">Crashes of the group since its previous announcement, this one's included.</param>
public sealed record CrashNotice(string Node, CrashGroup Group, long CountSinceLastEvent);
