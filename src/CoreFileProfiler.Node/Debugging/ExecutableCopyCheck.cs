using System.Collections.Concurrent;
using System.Security.Cryptography;
using CoreFileProfiler.Node.Cores;
using CoreFileProfiler.Store;
using CoreFileProfiler.Store.Elf;
using CoreFileProfiler.Store.Interop;

namespace CoreFileProfiler.Node.Debugging;

/// <summary>
/// Whether the collector's copy of a core's executable may be given to gdb. The metadata's path is
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
        if (ExecutableCopies.NameFor(metadata) is not { } name)
        {
            return (null, null, metadata.ExecutableCopy is null
                ? "the collector kept no copy"
                : "the collector's copy is not named by its content (build-id and SHA-256), so it is not used");
        }

        try
        {
            using var root = StoreDirectory.OpenRoot(store.Root);
            using var copies = root.OpenDirectory(ExecutableCopies.Folder);
            using var copy = copies?.OpenFile(name);
            if (copies is null || copy is null || StoreDirectory.StatusOf(copy) is not { } status) return (null, null, $"the collector's copy {name} is gone");
            var path = Path.Join(LibC.RealPath(copies.Path) ?? copies.Path, name);
            if (_verified.TryGetValue(name, out var verified) && status.IsUnchangedSince(verified)) return (path, status, "");

            var sha256 = Convert.ToHexStringLower(SHA256.HashData(copy));
            if (sha256 != metadata.ExecutableSha256) return (null, null, $"the collector's copy {name} was changed after the crash (its SHA-256 is now {sha256})");
            // Read through our own descriptor: the very file just hashed.
            if (ElfBuildId.Read($"/proc/self/fd/{copy.SafeFileHandle.DangerousGetHandle()}") != metadata.BuildId)
            {
                return (null, null, $"the collector's copy {name} does not carry build-id {metadata.BuildId}");
            }

            _verified[name] = status;
            return (path, status, "");
        }
        catch (SymlinkInStoreException e)
        {
            return (null, null, e.Message);
        }
    }
}
