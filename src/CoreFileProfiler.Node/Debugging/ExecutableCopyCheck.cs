using System.Collections.Concurrent;
using System.Security.Cryptography;
using CoreFileProfiler.Node.Cores;
using CoreFileProfiler.Store;
using CoreFileProfiler.Store.Elf;
using CoreFileProfiler.Store.Interop;

namespace CoreFileProfiler.Node.Debugging;

/// <summary>
/// Whether the collector's copy of a core's executable (or of another object it had mapped, or of a
/// debug file; docs/architecture.md, Build-id store) may be given to gdb. The metadata's path is
/// never trusted: the copy is the one its build-id and SHA-256 name in <c>.executables/</c>, opened
/// through the store's walk, and its bytes must still hash to that SHA-256 and carry that build-id.
/// A verified copy is remembered by what would change if its bytes did (device, inode, size,
/// modification time; not the change time, which every hand-over's link and ACL grant moves), so
/// each further terminal costs a statx instead of a re-read of up to 512 MiB (about 2 s).
/// </summary>
public sealed class ExecutableCopyCheck(CoreStore store)
{
    private readonly ConcurrentDictionary<string, FileStatus> _verified = new();

    /// <summary>The verified copy's path and what it was when verified; or null and why it is not used.</summary>
    public (string? Path, FileStatus? Status, string Why) Verify(CoreMetadata metadata)
    {
        if (ExecutableCopies.NameFor(metadata) is null)
        {
            return (null, null, metadata.ExecutableCopy is null
                ? "the collector kept no copy"
                : "the collector's copy is not named by its content (build-id and SHA-256), so it is not used");
        }

        return Verify(ExecutableCopies.Folder, metadata.BuildId!, metadata.ExecutableSha256!);
    }

    /// <summary>
    /// The copy named by <paramref name="buildId"/> and <paramref name="sha256"/> in <paramref name="folder"/>
    /// of the build-id store (<c>.executables</c> or <c>.debuginfo</c>), when its bytes still hash to that
    /// SHA-256 and carry that build-id; or null and why it is not used.
    /// </summary>
    public (string? Path, FileStatus? Status, string Why) Verify(string folder, string buildId, string sha256)
    {
        if (!ExecutableCopies.IsBuildId(buildId) || !ExecutableCopies.IsSha256(sha256)) return (null, null, "the copy is not named by its content (build-id and SHA-256), so it is not used");
        var name = ExecutableCopies.NameFor(buildId, sha256);
        try
        {
            using var root = StoreDirectory.OpenRoot(store.Root);
            using var copies = root.OpenDirectory(folder);
            using var copy = copies?.OpenFile(name);
            if (copies is null || copy is null || StoreDirectory.StatusOf(copy) is not { } status) return (null, null, $"the collector's copy {name} is gone");
            var path = Path.Join(LibC.RealPath(copies.Path) ?? copies.Path, name);
            var key = $"{folder}/{name}";
            if (_verified.TryGetValue(key, out var verified) && status.IsUnchangedSince(verified)) return (path, status, "");

            var actual = Convert.ToHexStringLower(SHA256.HashData(copy));
            if (actual != sha256) return (null, null, $"the collector's copy {name} was changed after the crash (its SHA-256 is now {actual})");
            // Read through our own descriptor: the very file just hashed.
            if (ElfBuildId.Read($"/proc/self/fd/{copy.SafeFileHandle.DangerousGetHandle()}") != buildId)
            {
                return (null, null, $"the collector's copy {name} does not carry build-id {buildId}");
            }

            _verified[key] = status;
            return (path, status, "");
        }
        catch (SymlinkInStoreException e)
        {
            return (null, null, e.Message);
        }
    }
}
