using CoreFileProfiler.Silo.Downloads;
using CoreFileProfiler.Tests.Support;
using CsCheck;

namespace CoreFileProfiler.Tests.Downloads;

/// <summary>
/// A download from another node resumes where the client asks (ASP.NET's range processing seeks the
/// stream, then reads): from any offset, however it is reached, the stream yields exactly the file's
/// bytes from there to the end, read through a real session grain.
/// </summary>
public sealed class RemoteFileStreamTests : IAsyncLifetime
{
    private const string Node = "node-0";
    private const string File = "app/42_20261127-120000";
    private const int Size = (5 << 16) + 12_345; // several 64 KiB chunks and a ragged end

    private readonly byte[] _content = new byte[Size];
    private ProfilerCluster _cluster = null!;
    private IDebugSessionGrain _session = null!;

    public async Task InitializeAsync()
    {
        new Random(15).NextBytes(_content);
        _cluster = await ProfilerCluster.StartAsync();
        await System.IO.File.WriteAllBytesAsync(_cluster.WriteCore(Node, "default/web-1/" + File), _content);
        var id = await _cluster.Grains.GetNodeProfiler(Node).OpenSession(new SessionRequest(SessionType.Coredump, 600, null, 0, "default", "web-1", null));
        _session = _cluster.Grains.GetSession(id);
    }

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    private static readonly Gen<(int Offset, SeekOrigin Origin, int Buffer)> Reads =
        Gen.Select(Gen.Int[0, Size], Gen.Enum<SeekOrigin>(), Gen.Int[1, 200_000]);

    [Fact]
    public async Task Reads_from_any_offset_return_exactly_the_files_bytes_from_there() => await Reads.SampleAsync(async read =>
    {
        await using var stream = new RemoteFileStream(_session, File, Size, seekable: true);
        stream.Position = 17; // a first seek that the second one must replace
        var position = read.Origin switch
        {
            SeekOrigin.Begin => stream.Seek(read.Offset, SeekOrigin.Begin),
            SeekOrigin.Current => stream.Seek(read.Offset - 17, SeekOrigin.Current),
            _ => stream.Seek(read.Offset - Size, SeekOrigin.End),
        };
        Assert.Equal(read.Offset, position);

        var bytes = await ReadToEndAsync(stream, read.Buffer);

        Assert.Equal(Size - read.Offset, bytes.Length);
        Assert.True(_content.AsSpan(read.Offset).SequenceEqual(bytes), $"bytes differ from offset {read.Offset} (buffer {read.Buffer})");
        Assert.Equal(Size, stream.Position);
    }, iter: 40, threads: 1);

    [Fact]
    public async Task Once_reading_has_begun_it_no_longer_seeks()
    {
        await using var stream = new RemoteFileStream(_session, File, Size, seekable: true);
        stream.Position = 1000;
        var first = new byte[10];

        Assert.Equal(10, await stream.ReadAsync(first));
        Assert.Equal(_content.AsSpan(1000, 10).ToArray(), first);
        Assert.False(stream.CanSeek);
        Assert.Throws<NotSupportedException>(() => stream.Seek(0, SeekOrigin.Begin));
        Assert.Equal(1010, stream.Position);
    }

    [Fact]
    public async Task A_compressed_core_is_never_seekable()
    {
        await using var stream = new RemoteFileStream(_session, File, Size, seekable: false);

        Assert.False(stream.CanSeek);
        Assert.Throws<NotSupportedException>(() => stream.Position = 5);
    }

    private static async Task<byte[]> ReadToEndAsync(Stream stream, int bufferSize)
    {
        var all = new MemoryStream();
        var buffer = new byte[bufferSize];
        int read;
        while ((read = await stream.ReadAsync(buffer)) > 0) all.Write(buffer, 0, read);
        return all.ToArray();
    }
}
