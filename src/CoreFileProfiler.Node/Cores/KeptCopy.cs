namespace CoreFileProfiler.Node.Cores;

/// <summary>A checked copy from the build-id store, open at its start, and the SHA-256 its name gives (docs/architecture.md, Build-id store).</summary>
public sealed record KeptCopy(FileStream File, string Sha256) : IDisposable
{
    public void Dispose() => File.Dispose();
}
