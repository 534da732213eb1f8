namespace CoreFileProfiler.Node.Interop;

/// <summary>What retention needs to know of a file of the store, from statx, never through a symlink.</summary>
internal static partial class LibC
{
    /// <summary>
    /// A regular file's identity (device and inode: a hard link in a hand-over directory is its
    /// core's bytes, not more), size and change time (set when the file was written or renamed into
    /// place; the modification time of a copy is its original's); null for anything else.
    /// </summary>
    public static unsafe (ulong Device, ulong Inode, long Size, DateTimeOffset Changed)? RegularFileStatus(string path)
    {
        if (path.Contains('\0')) return null;
        var buffer = stackalloc byte[StatxSize];
        if (statx(AtFdCwd, path, AtSymlinkNoFollow, StatxType | StatxChangeTime | StatxInode | StatxSizeMask, buffer) != 0) return null;
        if ((*(ushort*)(buffer + StatxModeOffset) & FileTypeMask) != RegularFile) return null;
        var device = ((ulong)*(uint*)(buffer + StatxDeviceMajorOffset) << 32) | *(uint*)(buffer + StatxDeviceMinorOffset);
        var changed = DateTimeOffset.FromUnixTimeSeconds(*(long*)(buffer + StatxChangeTimeOffset));
        return (device, *(ulong*)(buffer + StatxInodeOffset), *(long*)(buffer + StatxSizeOffset), changed);
    }

    private const uint StatxChangeTime = 0x80;
    private const uint StatxInode = 0x100;
    private const uint StatxSizeMask = 0x200;
    private const int StatxInodeOffset = 32;
    private const int StatxSizeOffset = 40;
    private const int StatxChangeTimeOffset = 96;
    private const int StatxDeviceMajorOffset = 136;
    private const int StatxDeviceMinorOffset = 140;
}
