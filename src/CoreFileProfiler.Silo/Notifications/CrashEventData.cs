namespace CoreFileProfiler.Silo.Notifications;

/// <summary>The <c>data</c> of a crash CloudEvent (README, Notifications): what a receiver needs to act, and never a core's bytes.</summary>
/// <param name="Count">Every crash of the group so far.</param>
/// <param name="CountSinceLastEvent">Crashes since the group's previous event, this one's included.</param>
public sealed record CrashEventData(
    string Node,
    string? Namespace,
    string? Pod,
    string? Container,
    string? Image,
    int? Signal,
    string Signature,
    string Summary,
    long Count,
    long CountSinceLastEvent);
