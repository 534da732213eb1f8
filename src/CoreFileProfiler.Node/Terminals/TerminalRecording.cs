using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace CoreFileProfiler.Node.Terminals;

/// <summary>
/// A terminal's asciicast v2 recording: what it wrote (<c>"o"</c>), what was typed into it
/// (<c>"i"</c>) and its resizes (<c>"r"</c>), each with the seconds since it started. Events go to
/// a temporary file that is unlinked at once, so recordings cost disk rather than memory and
/// vanish with their terminal or with this process, however it ends. Output stops at
/// <see cref="MaxBytes"/> with an output event saying so; typed input goes on for
/// <see cref="InputReserveBytes"/> more, so no command escapes the record.
/// </summary>
public sealed class TerminalRecording : IDisposable
{
    public const long DefaultMaxBytes = 16 << 20;

    /// <summary>Room kept for typed input past <see cref="MaxBytes"/>, so output cannot push input out.</summary>
    public const long InputReserveBytes = 1 << 20;

    private const string InputEvent = "i";
    private const int ChunkBytes = 64 << 10;

    // Not for HTML: text stays UTF-8 (a third of the size of \u escapes); JSON still escapes controls.
    private static readonly JsonWriterOptions EventJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly Lock _gate = new();
    private readonly FileStream? _events;
    // Stateful: a chunk may end inside a multibyte character, which the next chunk completes.
    private readonly Decoder _output = Encoding.UTF8.GetDecoder();
    private readonly Decoder _input = Encoding.UTF8.GetDecoder();
    private readonly TimeProvider _time;
    private readonly long _started;
    private readonly DateTimeOffset _startedAt;
    private readonly int _width;
    private readonly int _height;
    private long _length;
    private bool _outputCut;
    private (double Seconds, string Why)? _cut;
    private bool _disposed;

    /// <param name="width">Columns at the start; later sizes are <c>"r"</c> events.</param>
    /// <param name="height">Rows at the start.</param>
    /// <param name="time">Where event times come from.</param>
    /// <param name="maxBytes">Events beyond this many bytes are dropped, and the recording says so.</param>
    /// <param name="directory">Where the unlinked file lives: the temporary directory unless given.</param>
    public TerminalRecording(int width, int height, TimeProvider time, long maxBytes = DefaultMaxBytes, string? directory = null)
    {
        _width = width;
        _height = height;
        _time = time;
        _started = time.GetTimestamp();
        _startedAt = time.GetUtcNow();
        MaxBytes = maxBytes;
        var path = Path.Join(directory ?? Path.GetTempPath(), $"cfp-recording-{Guid.NewGuid():N}.cast");
        try
        {
            _events = new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.ReadWrite,
                BufferSize = 0,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            });
            File.Delete(path); // the open handle keeps it; its space returns when the handle closes
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // No place to keep it: the terminal works all the same, and its recording says why it is empty.
            _events?.Dispose();
            _events = null;
            _cut = (0, "this node could not keep it");
        }
    }

    public long MaxBytes { get; }

    public void Output(ReadOnlySpan<byte> data) => Record("o", _output, data);

    public void Input(ReadOnlySpan<byte> data) => Record(InputEvent, _input, data);

    public void Resize(int cols, int rows)
    {
        lock (_gate) Append("r", $"{cols}x{rows}");
    }

    /// <summary>
    /// The recording as it stands now: the header line (with <paramref name="title"/>), the events so
    /// far, and, when events were dropped, a last output event that says where and why.
    /// </summary>
    public async IAsyncEnumerable<byte[]> ReadAsync(string? title, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        long length;
        byte[]? note;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            length = _length;
            note = _cut is var (seconds, why)
                ? Line(seconds, "o", $"\r\n[core-file-profiler: the recording stops here, after {length} bytes of events: {why}]\r\n")
                : null;
        }

        yield return Header(title);
        for (long offset = 0; offset < length;)
        {
            var chunk = new byte[(int)Math.Min(ChunkBytes, length - offset)];
            var read = await RandomAccess.ReadAsync(_events!.SafeFileHandle, chunk, offset, cancellationToken);
            if (read == 0) break;
            offset += read;
            yield return read == chunk.Length ? chunk : chunk[..read];
        }

        if (note is not null) yield return note;
    }

    /// <summary>Frees the file. Reading afterwards throws; recording afterwards does nothing.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _events?.Dispose();
        }
    }

    private void Record(string type, Decoder decoder, ReadOnlySpan<byte> data)
    {
        lock (_gate)
        {
            if (_disposed || _cut is not null) return;
            var chars = new char[decoder.GetCharCount(data, flush: false)];
            var count = decoder.GetChars(data, chars, flush: false);
            if (count > 0) Append(type, chars.AsSpan(0, count));
        }
    }

    private void Append(string type, ReadOnlySpan<char> data)
    {
        if (_disposed || _cut is not null || (_outputCut && type != InputEvent)) return;
        var seconds = Seconds();
        var line = Line(seconds, type, data);
        if (_length + line.Length > MaxBytes + (type == InputEvent ? InputReserveBytes : 0))
        {
            if (type == InputEvent)
            {
                _cut = (seconds, $"recordings are limited to {MaxBytes} bytes, and what is typed to {InputReserveBytes} more");
                return;
            }

            // Output stops here, said in place; what is typed goes on being recorded (a live attach's audit trail).
            _outputCut = true;
            line = Line(seconds, "o", $"\r\n[core-file-profiler: the recording stops here, after {_length} bytes of events: recordings are limited to {MaxBytes} bytes; what is typed after this is still recorded]\r\n");
        }

        try
        {
            RandomAccess.Write(_events!.SafeFileHandle, line, _length);
            _length += line.Length;
        }
        catch (IOException)
        {
            _cut = (seconds, "this node ran out of room to keep it");
        }
    }

    private double Seconds() => Math.Round(_time.GetElapsedTime(_started).TotalSeconds, 6);

    private static byte[] Line(double seconds, string type, ReadOnlySpan<char> data)
    {
        var line = new ArrayBufferWriter<byte>(data.Length + 32);
        using (var json = new Utf8JsonWriter(line, EventJson))
        {
            json.WriteStartArray();
            json.WriteNumberValue(seconds);
            json.WriteStringValue(type);
            json.WriteStringValue(data);
            json.WriteEndArray();
        }

        line.Write("\n"u8);
        return line.WrittenSpan.ToArray();
    }

    private byte[] Header(string? title)
    {
        var line = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(line, EventJson))
        {
            json.WriteStartObject();
            json.WriteNumber("version", 2);
            json.WriteNumber("width", _width);
            json.WriteNumber("height", _height);
            json.WriteNumber("timestamp", _startedAt.ToUnixTimeSeconds());
            if (title is not null) json.WriteString("title", title);
            json.WriteEndObject();
        }

        line.Write("\n"u8);
        return line.WrittenSpan.ToArray();
    }
}
