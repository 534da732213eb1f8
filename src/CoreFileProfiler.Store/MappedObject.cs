using System.Text.Json.Serialization;

namespace CoreFileProfiler.Store;

/// <summary>
/// One ELF object the crashed process had mapped (its executable, a shared library), as kept in the
/// build-id store (docs/architecture.md, Build-id store).
/// </summary>
/// <param name="Path">The object's path as the process saw it (inside its container), which gdb asks for.</param>
/// <param name="BuildId">Its GNU build-id, lower-case hex.</param>
/// <param name="Sha256">The SHA-256 of the kept copy, <c>.executables/&lt;build-id&gt;-&lt;sha256&gt;</c>.</param>
/// <param name="DebugSha256">The SHA-256 of its separate debug file, <c>.debuginfo/&lt;build-id&gt;-&lt;sha256&gt;</c>, when the container had one.</param>
public sealed record MappedObject(string Path, string BuildId, string Sha256, string? DebugSha256 = null)
{
    /// <summary>Its copy's name in <see cref="ExecutableCopies.Folder"/>, or null when the metadata was tampered with (no path smuggled in).</summary>
    [JsonIgnore]
    public string? CopyName => ExecutableCopies.IsBuildId(BuildId) && ExecutableCopies.IsSha256(Sha256) ? ExecutableCopies.NameFor(BuildId, Sha256) : null;

    /// <summary>Its debug file's name in <see cref="DebugInfoCopies.Folder"/>, when it has a sane one.</summary>
    [JsonIgnore]
    public string? DebugCopyName => DebugSha256 is { } sha && ExecutableCopies.IsBuildId(BuildId) && ExecutableCopies.IsSha256(sha) ? DebugInfoCopies.NameFor(BuildId, sha) : null;
}
