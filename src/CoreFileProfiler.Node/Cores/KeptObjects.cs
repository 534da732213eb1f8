using System.Collections.Concurrent;
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
/// costs a statx rather than a read of the file's notes and sections.
/// </summary>
public sealed class KeptObjects(CoreStore store)
{
    private readonly ConcurrentDictionary<(string Folder, string Name), (FileStatus Status, bool HasDwarf)> _checked = new();

    /// <summary>The object itself, open for reading at its start; null when the node keeps none (or the id is not a build-id).</summary>
    public FileStream? OpenExecutable(string buildId)
    {
        if (!ExecutableCopies.IsBuildId(buildId)) return null;
        using var root = StoreDirectory.OpenRoot(store.Root);
        return OpenChecked(root, ExecutableCopies.Folder, buildId, needsDwarf: false);
    }

    /// <summary>Its DWARF: the separate debug file, else an executable copy that was not stripped; null when the node has neither.</summary>
    public FileStream? OpenDebugInfo(string buildId)
    {
        if (!ExecutableCopies.IsBuildId(buildId)) return null;
        using var root = StoreDirectory.OpenRoot(store.Root);
        return OpenChecked(root, DebugInfoCopies.Folder, buildId, needsDwarf: false) ?? OpenChecked(root, ExecutableCopies.Folder, buildId, needsDwarf: true);
    }

    private FileStream? OpenChecked(StoreDirectory root, string folder, string buildId, bool needsDwarf)
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
            // Any copy of that build-id will do (two would differ only if two objects claimed one id); newest first.
            var candidates = copies.ListFiles(0, name => ExecutableCopies.ParseName(name)?.BuildId == buildId)
                .OrderByDescending(c => c.Modified).Select(c => c.RelativePath).ToList();
            foreach (var name in candidates)
            {
                var file = copies.OpenFile(name);
                if (file is null) continue;
                if (Check(folder, name, file, buildId) is { } hasDwarf && (hasDwarf || !needsDwarf)) return file;
                file.Dispose();
            }
        }

        return null;
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
}
