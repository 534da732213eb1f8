using System.Security.Cryptography;
using CoreFileProfiler.Store;

namespace CoreFileProfiler.Collector;

/// <summary>
/// Keeps a file of the crashed process (its executable, a library, a debug file) in a folder of the
/// build-id store as <c>&lt;build-id&gt;-&lt;sha256&gt;</c> (docs/architecture.md, Build-id store). It is hashed
/// first: when a copy of that content is there (a crash loop, a library every program maps), nothing
/// is written. Otherwise it is copied and hashed again in the same read, and the copy is named by
/// what was written, so the name always matches the bytes and two files claiming one build-id get
/// one copy each.
/// </summary>
public sealed class ContentCopies(CollectorSettings settings)
{
    private const int ChunkBytes = 1 << 20;

    /// <summary>
    /// The SHA-256 and path of the kept copy of <paramref name="from"/> (at most <paramref name="limit"/>
    /// bytes) in <paramref name="folder"/> of the store; or why none was kept (null when the file simply
    /// grew past the limit or vanished).
    /// </summary>
    public (string? Sha256, string? Copy, string? Note) Keep(StoreDirectory root, string folder, FileStream from, string buildId, long limit)
    {
        try
        {
            if (from.Length > limit) return (null, null, null);
            using var directory = root.CreateDirectories(folder);
            var sha256 = Copy(from, null, limit);
            if (sha256 is null) return (null, null, null);
            if (Reuse(directory, ExecutableCopies.NameFor(buildId, sha256)) is { } reused) return (sha256, reused, null);
            // The whole copy must fit above the floor, not merely start above it: it is written in
            // one go, and crashes run side by side.
            var headroom = root.HeadroomAbove(settings.Floor);
            if (headroom < from.Length)
            {
                return (null, null, $"it takes {from.Length} bytes and the store's filesystem has {Math.Max(headroom, 0)} bytes free above {settings.FloorSetting}");
            }

            from.Position = 0;
            var (temporary, to) = directory.CreateTemporary(buildId);
            try
            {
                using (to) sha256 = Copy(from, to, Math.Min(limit, headroom));
                var name = sha256 is null ? null : ExecutableCopies.NameFor(buildId, sha256);
                if (name is not null && directory.Publish(temporary, name)) temporary = null;
                return name is not null && Reuse(directory, name) is { } copy ? (sha256, copy, null) : (null, null, null);
            }
            finally
            {
                if (temporary is not null) directory.Delete(temporary);
            }
        }
        catch (SymlinkInStoreException e)
        {
            return (null, null, e.Message);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (null, null, null);
        }
    }

    /// <summary>The SHA-256 of what <paramref name="from"/> holds (written to <paramref name="to"/> too, when given); null as soon as more than <paramref name="limit"/> bytes were read (a file that grows while copied).</summary>
    private static string? Copy(Stream from, Stream? to, long limit)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[ChunkBytes];
        long copied = 0;
        for (var read = from.Read(buffer); read > 0; read = from.Read(buffer))
        {
            if ((copied += read) > limit) return null;
            hash.AppendData(buffer, 0, read);
            to?.Write(buffer, 0, read);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>
    /// The path of the copy <paramref name="name"/> when it is there, after moving its change time,
    /// which retention's grace for copies no metadata names counts from: a copy reused now is not
    /// removed before this core's metadata names it.
    /// </summary>
    private static string? Reuse(StoreDirectory directory, string name)
    {
        using var copy = directory.OpenFile(name);
        if (copy is null) return null;
        // The group bits of a file with an ACL are its mask: a sandboxed gdb reading this copy right
        // now (a terminal, a crash report) holds a named entry that a mask of --- would void.
        const UnixFileMode group = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute;
        File.SetUnixFileMode(copy.SafeFileHandle, StoreLayout.FilePermissions | (File.GetUnixFileMode(copy.SafeFileHandle) & group));
        return Path.Join(directory.Path, name);
    }
}
