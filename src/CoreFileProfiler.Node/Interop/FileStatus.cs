namespace CoreFileProfiler.Node.Interop;

/// <summary>What statx says of a file itself (a symlink is a symlink). <paramref name="Type"/> is the mode's type bits.</summary>
public readonly record struct FileStatus(int Type, long Size, DateTimeOffset Modified, DateTimeOffset Changed, ulong Inode, ulong Device)
{
    public const int RegularFile = 0x8000;

    public bool IsRegularFile => Type == RegularFile;
}
