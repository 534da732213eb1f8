using System.Text.Json;

namespace CoreFileProfiler.Store;

/// <summary>
/// What is known about a core, saved beside it as <c>&lt;core&gt;.json</c> (docs/architecture.md, Core store): enough for
/// gdb to find the program later and for people to know what crashed.
/// </summary>
/// <param name="Exe">The executable's path as the process saw it (inside its container).</param>
/// <param name="Source">Who wrote the core: <c>kernel</c> (the collector) or <c>gcore</c> (a snapshot).</param>
/// <param name="Size">The core's bytes, uncompressed.</param>
/// <param name="Note">Why a core is short or missing (a size limit, the free-space floor), when it is.</param>
/// <param name="BuildId">The executable's GNU build-id.</param>
/// <param name="ExecutableCopy">The collector's copy of the executable, for when its container is gone.</param>
/// <param name="Image">The container's image, when the runtime said.</param>
/// <param name="Skipped">What the collector left out and why (a lookup that overran its time); absent when nothing was.</param>
/// <param name="ExecutableSha256">The SHA-256 of the collector's copy of the executable, which names it with the build-id (<see cref="ExecutableCopies"/>).</param>
/// <param name="Objects">Every ELF object the process had mapped that the collector kept by build-id, the executable among them.</param>
public sealed record CoreMetadata(
    int Pid,
    int? Signal,
    DateTimeOffset Time,
    string? Exe,
    string? Comm,
    string? Cmdline,
    string? ContainerId,
    string? Namespace,
    string? Pod,
    string? Container,
    string Source,
    long Size,
    bool Truncated,
    string? Note = null,
    string? BuildId = null,
    string? ExecutableCopy = null,
    string? Image = null,
    IReadOnlyList<string>? Skipped = null,
    string? ExecutableSha256 = null,
    IReadOnlyList<MappedObject>? Objects = null)
{
    /// <summary><c>&lt;pid&gt;_&lt;time&gt;.json</c> beside <c>&lt;pid&gt;_&lt;time&gt;</c> or <c>&lt;pid&gt;_&lt;time&gt;.zst</c>.</summary>
    public static string PathFor(string corePath) => NameFor(corePath);

    /// <summary>The metadata's name for a core's name (or path).</summary>
    public static string NameFor(string coreName) => CompressedCore.Uncompressed(coreName) + ".json";

    /// <summary>
    /// Reads the metadata beside a core (an absolute, symlink-free path), through no symlink; null
    /// when there is none, it is unreadable or any component is a symlink.
    /// </summary>
    public static CoreMetadata? ReadFor(string corePath)
    {
        try
        {
            using var file = StoreDirectory.OpenFileAt(PathFor(corePath));
            return file is null ? null : JsonSerializer.Deserialize(file, CoreMetadataJson.Default.CoreMetadata);
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException or NotSupportedException)
        {
            return null;
        }
    }

    /// <summary>Writes it beside the core named <paramref name="coreName"/> in <paramref name="directory"/>, readable by root only, like the core.</summary>
    public void WriteFor(StoreDirectory directory, string coreName)
    {
        var (temporary, file) = directory.CreateTemporary(NameFor(coreName));
        using (file)
        {
            JsonSerializer.Serialize(file, this, CoreMetadataJson.Default.CoreMetadata);
        }

        // Replaced, not written through: a symlink planted under the metadata's name is gone, its target untouched.
        directory.Replace(temporary, NameFor(coreName));
    }
}
