namespace CoreFileProfiler;

/// <summary>
/// A refusal the user should see, raised anywhere in the cluster and carried across silos
/// (hence serializable), then turned into an HTTP problem by the gateway.
/// </summary>
[GenerateSerializer]
public sealed class ProfilerException : Exception
{
    public ProfilerException(ProfilerError error, string message) : base(message) => Error = error;

    public ProfilerException() : this(ProfilerError.InvalidParameter, "Invalid request.") { }

    public ProfilerException(string message) : this(ProfilerError.InvalidParameter, message) { }

    public ProfilerException(string message, Exception innerException) : base(message, innerException) { }

    [Id(0)]
    public ProfilerError Error { get; private set; }

    public static ProfilerException Invalid(string message) => new(ProfilerError.InvalidParameter, message);

    public static ProfilerException Forbidden(string message) => new(ProfilerError.Forbidden, message);

    public static ProfilerException NotFound(string message) => new(ProfilerError.NotFound, message);

    public static ProfilerException Gone(string message) => new(ProfilerError.Gone, message);

    public static ProfilerException Unavailable(string message) => new(ProfilerError.Unavailable, message);
}
