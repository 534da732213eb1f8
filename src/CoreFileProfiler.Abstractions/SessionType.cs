namespace CoreFileProfiler;

/// <summary>What a debug session targets: cores on disk, or live processes.</summary>
[GenerateSerializer]
public enum SessionType
{
    /// <summary>Core files already on the node (KubeDiag type <c>coredump</c>).</summary>
    Coredump,

    /// <summary>Running processes of a container or a host pid (KubeDiag type <c>gcore</c>).</summary>
    Gcore,
}
