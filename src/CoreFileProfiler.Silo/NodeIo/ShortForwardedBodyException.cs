namespace CoreFileProfiler.Silo.NodeIo;

/// <summary>The owning gateway ended a forwarded body before the length its head announced.</summary>
internal sealed class ShortForwardedBodyException(long missing) : IOException($"The owning gateway's body ended {missing} bytes early.")
{
    public long Missing { get; } = missing;
}
