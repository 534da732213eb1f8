namespace CoreFileProfiler;

/// <summary>Where a gcore snapshot stands.</summary>
[GenerateSerializer]
public enum SnapshotState
{
    /// <summary>gcore is writing the core.</summary>
    Running,

    /// <summary>The core is filed in the core store.</summary>
    Done,

    /// <summary>No core: gcore failed, was refused, or the session ended first.</summary>
    Failed,
}
