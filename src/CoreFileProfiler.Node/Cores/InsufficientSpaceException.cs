namespace CoreFileProfiler.Node.Cores;

/// <summary>A write into the store was refused or stopped at the free-space floor; the message says which and why.</summary>
public sealed class InsufficientSpaceException : IOException
{
    public InsufficientSpaceException(string message) : base(message) { }

    public InsufficientSpaceException() { }

    public InsufficientSpaceException(string message, Exception innerException) : base(message, innerException) { }
}
