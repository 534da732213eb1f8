namespace CoreFileProfiler.Silo.Hosting;

/// <summary>The <c>Auth</c> configuration section.</summary>
public sealed class AdminOptions
{
    public const string Section = "Auth";

    /// <summary>Bearer token for <c>/api/*</c> and the cluster page; unset: loopback clients only.</summary>
    public string? AdminToken { get; set; }
}
