using System.Buffers.Binary;
using System.Text;
using CoreFileProfiler.Store.Elf;
using CoreFileProfiler.Tests.Support;

namespace CoreFileProfiler.Tests.Store.Elf;

public sealed class ElfDebugLinkTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void An_objects_debug_link_names_its_debug_file()
    {
        Assert.Equal("libshop.so.debug", ElfDebugLink.Read(Write(ObjectLinkingTo("libshop.so.debug"))));
    }

    [Theory]
    [InlineData("../../etc/shadow")]
    [InlineData("/etc/shadow")]
    [InlineData("..")]
    [InlineData(".")]
    [InlineData("")]
    [InlineData("lib\nshell id")]
    public void A_debug_link_that_is_no_plain_file_name_is_refused(string name)
    {
        Assert.Null(ElfDebugLink.Read(Write(ObjectLinkingTo(name))));
    }

    [Fact]
    public void A_debug_link_section_declared_past_the_end_of_the_file_is_no_link()
    {
        var bytes = ObjectLinkingTo("libshop.so.debug");
        var table = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(40));
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(table + (2 * 64) + 32), 1UL << 40); // .gnu_debuglink's sh_size
        Assert.Null(ElfDebugLink.Read(Write(bytes)));
    }

    private string Write(byte[] bytes)
    {
        var path = Path.Join(_temp.Path, Guid.NewGuid().ToString("N"));
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>A 64-bit ELF object with three sections (null, names, <c>.gnu_debuglink</c> naming <paramref name="name"/>), as objcopy writes the link: name, NUL, padding, CRC.</summary>
    private static byte[] ObjectLinkingTo(string name)
    {
        var names = Encoding.ASCII.GetBytes("\0.shstrtab\0.gnu_debuglink\0");
        var link = new byte[((Encoding.UTF8.GetByteCount(name) + 1 + 3) & ~3) + 4];
        Encoding.UTF8.GetBytes(name, link);
        var namesAt = 64;
        var linkAt = namesAt + names.Length;
        var table = (linkAt + link.Length + 7) & ~7;
        var bytes = new byte[table + (3 * 64)];
        "\u007fELF"u8.CopyTo(bytes);
        bytes[4] = 2; // 64-bit
        bytes[5] = 1; // little-endian
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(40), (ulong)table);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(58), 64);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(60), 3);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(62), 1);
        names.CopyTo(bytes, namesAt);
        link.CopyTo(bytes, linkAt);
        Section(bytes.AsSpan(table + 64), nameOffset: 1, namesAt, names.Length);
        Section(bytes.AsSpan(table + 128), nameOffset: 11, linkAt, link.Length);
        return bytes;
    }

    private static void Section(Span<byte> header, uint nameOffset, int offset, int size)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(header, nameOffset);
        BinaryPrimitives.WriteUInt64LittleEndian(header[24..], (ulong)offset);
        BinaryPrimitives.WriteUInt64LittleEndian(header[32..], (ulong)size);
    }
}
