using System.Text;
using System.Text.Json;
using CoreFileProfiler.Node.Terminals;
using CoreFileProfiler.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace CoreFileProfiler.Tests.Terminals;

public sealed class TerminalRecordingTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-11-27T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task The_header_gives_the_size_and_start_and_events_the_seconds_since_then()
    {
        using var recording = new TerminalRecording(120, 36, _time, directory: _temp.Path);

        _time.Advance(TimeSpan.FromSeconds(1.5));
        recording.Output("(gdb) "u8);
        _time.Advance(TimeSpan.FromMilliseconds(250));
        recording.Input("bt\n"u8);
        recording.Resize(100, 30);

        var (header, events) = await ReadAsync(recording, "gdb app/core");
        Assert.Equal(2, header.GetProperty("version").GetInt32());
        Assert.Equal(120, header.GetProperty("width").GetInt32());
        Assert.Equal(36, header.GetProperty("height").GetInt32());
        Assert.Equal(_time.GetUtcNow().AddSeconds(-1.75).ToUnixTimeSeconds(), header.GetProperty("timestamp").GetInt64());
        Assert.Equal("gdb app/core", header.GetProperty("title").GetString());
        Assert.Equal([(1.5, "o", "(gdb) "), (1.75, "i", "bt\n"), (1.75, "r", "100x30")], events);
    }

    [Fact]
    public async Task A_character_split_between_two_chunks_of_output_is_recorded_whole()
    {
        using var recording = new TerminalRecording(80, 24, _time, directory: _temp.Path);
        var euro = "€"u8.ToArray(); // three bytes

        recording.Output([.. "a"u8, euro[0], euro[1]]);
        recording.Output([euro[2], .. "b"u8]);

        var (_, events) = await ReadAsync(recording);
        Assert.Equal("a€b", string.Concat(events.Select(e => e.Data)));
        Assert.DoesNotContain(events, e => e.Data.Contains('\uFFFD', StringComparison.Ordinal));
    }

    [Fact]
    public async Task Past_its_limit_a_recording_keeps_what_fits_and_ends_saying_where_it_stopped()
    {
        using var recording = new TerminalRecording(80, 24, _time, maxBytes: 300, directory: _temp.Path);

        for (var i = 0; i < 20; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            recording.Output(Encoding.UTF8.GetBytes($"line {i:D2} of output\r\n"));
        }

        var lines = await LinesAsync(recording);
        var eventBytes = lines.Skip(1).SkipLast(1).Sum(line => Encoding.UTF8.GetByteCount(line) + 1);
        Assert.InRange(eventBytes, 300 - 40, 300);
        var (_, events) = await ReadAsync(recording);
        var note = events[^1];
        Assert.Equal("o", note.Type);
        Assert.Contains("recording stops here", note.Data, StringComparison.Ordinal);
        Assert.Contains("300 bytes", note.Data, StringComparison.Ordinal);
        Assert.DoesNotContain(events, e => e.Data.Contains("line 19", StringComparison.Ordinal));
        Assert.True(events.Zip(events.Skip(1)).All(pair => pair.First.Seconds <= pair.Second.Seconds));
    }

    [Fact]
    public async Task Past_its_limit_what_is_typed_is_still_recorded()
    {
        using var recording = new TerminalRecording(80, 24, _time, maxBytes: 300, directory: _temp.Path);

        for (var i = 0; i < 20; i++) recording.Output(Encoding.UTF8.GetBytes($"line {i:D2} of output\r\n"));
        _time.Advance(TimeSpan.FromSeconds(1));
        recording.Input("echo typed after the limit\n"u8);
        recording.Output("hidden output\r\n"u8);

        var (_, events) = await ReadAsync(recording);
        Assert.Contains(events, e => e.Type == "o" && e.Data.Contains("recording stops here", StringComparison.Ordinal));
        Assert.Equal("echo typed after the limit\n", events[^1].Data);
        Assert.Equal("i", events[^1].Type);
        Assert.DoesNotContain(events, e => e.Data.Contains("hidden output", StringComparison.Ordinal));
        Assert.True(events.Zip(events.Skip(1)).All(pair => pair.First.Seconds <= pair.Second.Seconds));
    }

    [Fact]
    public async Task Its_file_is_unlinked_from_the_start_and_reading_after_dispose_fails()
    {
        var recording = new TerminalRecording(80, 24, _time, directory: _temp.Path);
        recording.Output("kept only in the open file"u8);

        Assert.Empty(Directory.EnumerateFileSystemEntries(_temp.Path));
        Assert.Contains("kept only in the open file", string.Concat((await ReadAsync(recording)).Events.Select(e => e.Data)), StringComparison.Ordinal);

        recording.Dispose();
        recording.Output("after the end"u8);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => ReadAsync(recording));
    }

    private static async Task<List<string>> LinesAsync(TerminalRecording recording)
    {
        var bytes = new List<byte>();
        await foreach (var chunk in recording.ReadAsync("gdb")) bytes.AddRange(chunk);
        var text = Encoding.UTF8.GetString(bytes.ToArray());
        Assert.EndsWith("\n", text, StringComparison.Ordinal);
        return text[..^1].Split('\n').ToList();
    }

    private static async Task<(JsonElement Header, List<(double Seconds, string Type, string Data)> Events)> ReadAsync(TerminalRecording recording, string title = "gdb")
    {
        var lines = new List<byte>();
        await foreach (var chunk in recording.ReadAsync(title)) lines.AddRange(chunk);
        var all = Encoding.UTF8.GetString(lines.ToArray())[..^1].Split('\n');
        var header = JsonDocument.Parse(all[0]).RootElement;
        var events = all.Skip(1)
            .Select(line => JsonDocument.Parse(line).RootElement)
            .Select(e => (e[0].GetDouble(), e[1].GetString()!, e[2].GetString()!))
            .ToList();
        return (header, events);
    }
}
