namespace CoreFileProfiler;

/// <summary>Why a request was refused; each maps to one HTTP status.</summary>
[GenerateSerializer]
public enum ProfilerError
{
    /// <summary>400: a parameter is malformed or not allowed.</summary>
    InvalidParameter,

    /// <summary>404: the target (path, pod, container, pid, session, file) does not exist.</summary>
    NotFound,

    /// <summary>410: the session expired or was ended.</summary>
    Gone,

    /// <summary>503: the node is unreachable or at its session limit.</summary>
    Unavailable,

    /// <summary>403: the caller may not do this, e.g. a target wider than one pod without the admin token.</summary>
    /// <remarks>Last, so the values silos exchange keep their meaning across a rolling upgrade.</remarks>
    Forbidden,
}
