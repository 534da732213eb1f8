using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using CoreFileProfiler.Store;
using CoreFileProfiler.Store.Elf;
using CoreFileProfiler.Store.Interop;

namespace CoreFileProfiler.Node.Cores;

/// <summary>
/// This node's objects by build-id, as a debuginfod server hands them out (docs/architecture.md, Build-id store):
/// an executable is a copy in <c>.executables/</c>; debuginfo is a copy in <c>.debuginfo/</c>, else an executable
/// copy that carries its DWARF. Copies are opened through the store's walk (no symlink, regular files only) and
/// served only when the opened file's build-id note is the one asked for. What was checked is remembered by
/// (device, inode, size, modification time), as <c>Debugging/ExecutableCopyCheck</c> does, so a second request
/// costs a statx rather than a read of the file's notes and sections. A build-id is a claim, not a proof: when
/// copies of different content claim one id (a hostile program can link with any build-id), none is served,
/// so a client never gets one tenant's object for another's.
/// </summary>
public sealed partial class KeptObjects(CoreStore store, ILogger<KeptObjects> logger)
{
    private readonly ConcurrentDictionary<(string Folder, string Name), (FileStatus Status, bool HasDwarf)> _checked = new();

    /// <summary>The object itself, open for reading at its start; null when the node keeps none (or the id is not a build-id).</summary>
    public KeptCopy? OpenExecutable(string buildId)
    {
        if (!ExecutableCopies.IsBuildId(buildId)) return null;
        using var root = StoreDirectory.OpenRoot(store.Root);
        return OpenChecked(root, ExecutableCopies.Folder, buildId, needsDwarf: false);
    }

    /// <summary>Its DWARF: the separate debug file, else an executable copy that was not stripped; null when the node has neither.</summary>
    public KeptCopy? OpenDebugInfo(string buildId)
    {
        if (!ExecutableCopies.IsBuildId(buildId)) return null;
        using var root = StoreDirectory.OpenRoot(store.Root);
        return OpenChecked(root, DebugInfoCopies.Folder, buildId, needsDwarf: false) ?? OpenChecked(root, ExecutableCopies.Folder, buildId, needsDwarf: true);
    }

    private KeptCopy? OpenChecked(StoreDirectory root, string folder, string buildId, bool needsDwarf)
    {
        StoreDirectory? copies;
        try
        {
            copies = root.OpenDirectory(folder);
        }
        catch (SymlinkInStoreException)
        {
            return null; // a planted symlink (or file) in place of the folder: nothing in it is ours
        }

        using (copies)
        {
            if (copies is null) return null;
            var candidates = copies.ListFiles(0, name => ExecutableCopies.ParseName(name)?.BuildId == buildId).Select(c => c.RelativePath).ToList();
            KeptCopy? found = null;
            string? claimed = null; // the content every checked copy must share
            foreach (var name in candidates)
            {
                var file = copies.OpenFile(name);
                if (file is null) continue;
                var hasDwarf = Check(folder, name, file, buildId);
                if (hasDwarf is null)
                {
                    file.Dispose();
                    continue;
                }

                var sha256 = ExecutableCopies.ParseName(name)!.Value.Sha256;
                claimed ??= sha256;
                if (claimed != sha256)
                {
                    found?.Dispose();
                    file.Dispose();
                    LogAmbiguous(logger, buildId, folder);
                    return null;
                }

                if (found is null && (hasDwarf == true || !needsDwarf)) found = new KeptCopy(file, sha256);
                else file.Dispose();
            }

            return found;
        }
    }

    /// <summary>Whether the open copy has DWARF; null when it is not the object its name claims.</summary>
    private bool? Check(string folder, string name, FileStream file, string buildId)
    {
        if (StoreDirectory.StatusOf(file) is not { IsRegularFile: true } status) return null;
        if (_checked.TryGetValue((folder, name), out var known) && status.IsUnchangedSince(known.Status)) return known.HasDwarf;
        // Read through our own descriptor: the very file that will be served.
        if (ElfBuildId.Read($"/proc/self/fd/{file.SafeFileHandle.DangerousGetHandle()}") != buildId) return null;
        var hasDwarf = ElfSections.Has(file.SafeFileHandle, ElfSections.DebugInfo);
        _checked[(folder, name)] = (status, hasDwarf);
        return hasDwarf;
    }

    [LoggerMessage(EventId = 40, Level = LogLevel.Warning, Message = "Build-id {BuildId} is claimed by copies of different content in {Folder}: none is served")]
    private static partial void LogAmbiguous(ILogger logger, string buildId, string folder);
}
