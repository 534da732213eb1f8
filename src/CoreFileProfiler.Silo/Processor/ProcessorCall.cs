namespace CoreFileProfiler.Silo.Processor;

/// <summary>A parsed processor request: what to open, and on which node (null: this gateway's).</summary>
public sealed record ProcessorCall(SessionRequest Request, string? Node);
