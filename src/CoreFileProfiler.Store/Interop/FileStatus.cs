namespace CoreFileProfiler.Store.Interop;

/// <summary>What statx says of a file itself (a symlink is a symlink). <paramref name="Type"/> is the mode's type bits.</summary>
public readonly record struct FileStatus(int Type, long Size, DateTimeOffset Modified, DateTimeOffset Changed, ulong Inode, ulong Device)
{
    public const int RegularFile = 0x8000;

    public bool IsRegularFile => Type == RegularFile;

    /// <summary>
    /// Whether it is the same file with, as far as the file system says, the same bytes: device,
    /// inode, size and modification time. The change time is not compared: links and ACLs move it.
    /// </summary>
    public bool IsUnchangedSince(FileStatus earlier) =>
        Device == earlier.Device && Inode == earlier.Inode && Size == earlier.Size && Modified == earlier.Modified;
}
