using System.Buffers.Binary;
using CoreFileProfiler.Node.Interop;

namespace CoreFileProfiler.Node.Sandbox;

/// <summary>
/// Grants one user read (and, on directories, search) access to a file by a named entry in its
/// POSIX access ACL, and takes it back. The file's owner may change its ACL without any
/// capability, which is how the silo (root, but with no CAP_FOWNER in its pod) hands a core to a
/// sandboxed gdb without copying it. Mode bits and other entries are kept.
/// </summary>
public static class PosixAcl
{
    private const string Attribute = "system.posix_acl_access";
    private const uint Version = 2;
    private const ushort UserObj = 0x01, User = 0x02, GroupObj = 0x04, Group = 0x08, Mask = 0x10, Other = 0x20;
    private const uint UndefinedId = uint.MaxValue;
    private const int HeaderSize = 4, EntrySize = 8;

    // Read-modify-write of one attribute: grants on the same inode from two terminals must not race.
    private static readonly Lock Gate = new();

    private readonly record struct Entry(ushort Tag, ushort Permissions, uint Id);

    /// <summary>Lets <paramref name="uid"/> read <paramref name="path"/> (and search it, if a directory).</summary>
    public static void Grant(string path, int uid)
    {
        var permissions = (ushort)(Directory.Exists(path) ? 5 : 4); // r-x or r--
        lock (Gate)
        {
            var entries = Read(path).Where(e => !(e.Tag == User && e.Id == (uint)uid)).Append(new Entry(User, permissions, (uint)uid)).ToList();
            Write(path, entries);
        }
    }

    /// <summary>Takes back what <see cref="Grant"/> gave <paramref name="uid"/>; nothing if the path is gone.</summary>
    public static void Revoke(string path, int uid)
    {
        lock (Gate)
        {
            if (!Path.Exists(path)) return;
            var entries = Read(path);
            if (entries.RemoveAll(e => e.Tag == User && e.Id == (uint)uid) > 0) Write(path, entries);
        }
    }

    /// <summary>Removes every named-user entry of the uids in [<paramref name="first"/>, first + count): leftovers of a killed silo.</summary>
    public static void RevokeRange(string path, int first, int count)
    {
        lock (Gate)
        {
            var entries = Read(path);
            if (entries.RemoveAll(e => e.Tag == User && e.Id >= (uint)first && e.Id < (uint)first + (uint)count) > 0) Write(path, entries);
        }
    }

    /// <summary>The entries of the file's ACL, or those its mode stands for when it has none.</summary>
    private static List<Entry> Read(string path)
    {
        var value = NodeLibC.GetAttribute(path, Attribute);
        if (value is null)
        {
            var mode = (int)File.GetUnixFileMode(path);
            return [new(UserObj, (ushort)((mode >> 6) & 7), UndefinedId), new(GroupObj, (ushort)((mode >> 3) & 7), UndefinedId), new(Other, (ushort)(mode & 7), UndefinedId)];
        }

        if (value.Length < HeaderSize || BinaryPrimitives.ReadUInt32LittleEndian(value) != Version || (value.Length - HeaderSize) % EntrySize != 0)
        {
            throw new IOException($"{path} has an ACL this profiler does not understand.");
        }

        var entries = new List<Entry>();
        for (var offset = HeaderSize; offset < value.Length; offset += EntrySize)
        {
            var entry = value.AsSpan(offset, EntrySize);
            entries.Add(new(BinaryPrimitives.ReadUInt16LittleEndian(entry), BinaryPrimitives.ReadUInt16LittleEndian(entry[2..]), BinaryPrimitives.ReadUInt32LittleEndian(entry[4..])));
        }

        return entries;
    }

    /// <summary>Writes the entries in the kernel's order, with the mask named entries need (the union of the group class).</summary>
    private static void Write(string path, List<Entry> entries)
    {
        var named = entries.Where(e => e.Tag is User or Group).ToList();
        var kept = entries.Where(e => e.Tag != Mask).ToList();
        if (named.Count > 0)
        {
            var mask = entries.Where(e => e.Tag is User or Group or GroupObj).Aggregate((ushort)0, (m, e) => (ushort)(m | e.Permissions));
            kept.Add(new(Mask, mask, UndefinedId));
        }

        var ordered = kept.OrderBy(e => e.Tag).ThenBy(e => e.Id).ToList();
        var value = new byte[HeaderSize + (ordered.Count * EntrySize)];
        BinaryPrimitives.WriteUInt32LittleEndian(value, Version);
        for (var i = 0; i < ordered.Count; i++)
        {
            var entry = value.AsSpan(HeaderSize + (i * EntrySize));
            BinaryPrimitives.WriteUInt16LittleEndian(entry, ordered[i].Tag);
            BinaryPrimitives.WriteUInt16LittleEndian(entry[2..], ordered[i].Permissions);
            BinaryPrimitives.WriteUInt32LittleEndian(entry[4..], ordered[i].Id);
        }

        // A minimal ACL (no named entries) is folded back into the mode by the kernel.
        NodeLibC.SetAttribute(path, Attribute, value);
    }
}
