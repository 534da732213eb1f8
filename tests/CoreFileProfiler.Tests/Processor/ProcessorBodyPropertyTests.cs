using System.Diagnostics;
using System.Text;
using System.Text.Json;
using CoreFileProfiler.Node;
using CoreFileProfiler.Silo.Processor;
using CsCheck;
using Microsoft.AspNetCore.Http;

namespace CoreFileProfiler.Tests.Processor;

/// <summary>
/// Whatever a client sends as a processor body, the reader answers with a parsed call or its 400
/// refusal (ProfilerError.InvalidParameter), quickly; never another exception, which would be a 500.
/// </summary>
public sealed class ProcessorBodyPropertyTests
{
    private static readonly TimeSpan MaxParseTime = TimeSpan.FromSeconds(1);

    private static readonly string[] Keys =
    [
        ProcessorRequestReader.ExpirationKey, ProcessorRequestReader.TypeKey, ProcessorRequestReader.FilePathKey, ProcessorRequestReader.PidKey,
        ProcessorRequestReader.NamespaceKey, ProcessorRequestReader.PodKey, ProcessorRequestReader.ContainerKey, ProcessorRequestReader.NodeKey, "task.uid",
    ];

    // Strings as a hostile client writes them: escapes a serializer never makes (lone surrogates, NULs), numbers as text, the real values.
    private static readonly Gen<string> Text = Gen.OneOf(
        Gen.String.Select(s => JsonSerializer.Serialize(s)),
        Gen.OneOf("\"\\uD800\"", "\"\\uDC00x\"", "\"a\\u0000b\"", "\"\\u12\"", "\"60\"", "\"coredump\"", "\"gcore\"", "\"default\"", "\"-0\"",
            "\"99999999999999999999\"", "\"../../etc\"", "\"\"", "\"\\/\""),
        Gen.Int.Select(i => $"\"{i}\""));

    private static readonly Gen<string> Scalar = Gen.OneOf(
        Text,
        Gen.Long.Select(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        Gen.Double.Select(d => d.ToString("R", System.Globalization.CultureInfo.InvariantCulture)), // NaN and ∞ are not JSON
        Gen.OneOf("null", "true", "false", "1e999", "-0", "0x10", "[]", "{}", "[\"a\"]", "{\"a\":{}}"));

    private static readonly Gen<string> Member = Gen.Select(Gen.OneOf(Gen.OneOf(Keys), Gen.String), Scalar, (key, value) => $"{JsonSerializer.Serialize(key)}:{value}");

    private static readonly Gen<string> Body = Gen.Select(Member.Array[0, 12], Gen.OneOf("", ",", " ", "/* c */", "}", "]"),
        (members, tail) => "{" + string.Join(',', members) + tail + "}");

    private static void ParsesOrRefuses(byte[] body)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            var call = ProcessorRequestReader.Parse(body, 86400);
            Assert.InRange(call.Request.ExpirationSeconds, 1, 86400);
        }
        catch (ProfilerException refusal)
        {
            Assert.Equal(ProfilerError.InvalidParameter, refusal.Error);
            Assert.False(string.IsNullOrWhiteSpace(refusal.Message));
        }

        Assert.True(clock.Elapsed < MaxParseTime, $"{body.Length} bytes took {clock.Elapsed}");
    }

    [Fact]
    public void Random_bytes_are_parsed_or_refused_with_400() =>
        Gen.Byte.Array[0, 4096].Sample(ParsesOrRefuses, iter: 5_000);

    [Fact]
    public void Json_objects_of_any_shape_are_parsed_or_refused_with_400() =>
        Body.Sample(body => ParsesOrRefuses(Encoding.UTF8.GetBytes(body)), iter: 5_000);

    [Fact]
    public void Deep_nesting_and_huge_strings_are_refused_or_parsed_in_bounded_time()
    {
        Gen.Int[1, 100_000].Sample(depth =>
        {
            ParsesOrRefuses(Encoding.UTF8.GetBytes(new string('[', depth) + new string(']', depth)));
            ParsesOrRefuses(Encoding.UTF8.GetBytes($"{{\"{ProcessorRequestReader.TypeKey}\":" + string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth + 1)));
        }, iter: 50);

        var huge = new string('x', 4 << 20);
        ParsesOrRefuses(Encoding.UTF8.GetBytes($"{{\"{ProcessorRequestReader.ExpirationKey}\":\"60\",\"{ProcessorRequestReader.TypeKey}\":\"{huge}\"}}"));
        ParsesOrRefuses(Encoding.UTF8.GetBytes($"{{\"{ProcessorRequestReader.ExpirationKey}\":\"{new string('9', 1 << 20)}\",\"{ProcessorRequestReader.TypeKey}\":\"coredump\"}}"));
        ParsesOrRefuses(Encoding.UTF8.GetBytes($"{{\"{huge}\":\"1\"}}"));
    }

    [Fact]
    public async Task A_declared_content_length_costs_nothing_until_the_bytes_arrive()
    {
        var options = new ProfilerOptions();
        var body = Encoding.UTF8.GetBytes($$"""{"{{ProcessorRequestReader.ExpirationKey}}":"60","{{ProcessorRequestReader.TypeKey}}":"gcore","{{ProcessorRequestReader.PidKey}}":"1"}""");
        var context = new DefaultHttpContext();
        context.Request.ContentLength = options.MaxRequestBodyBytes; // what it claims, not what it sends
        context.Request.Body = new MemoryStream(body);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var call = await ProcessorRequestReader.ReadAsync(context.Request, options, CancellationToken.None);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(1, call.Request.Pid);
        Assert.True(allocated < options.MaxRequestBodyBytes / 8, $"{allocated} bytes allocated for a {body.Length}-byte body");
    }

    [Fact]
    public async Task A_body_that_does_not_arrive_in_time_is_refused_with_408()
    {
        var options = new ProfilerOptions { RequestBodyTimeoutSeconds = 1 };
        var context = new DefaultHttpContext();
        context.Request.Body = new NeverEndingStream();

        var clock = Stopwatch.StartNew();
        var refusal = await Assert.ThrowsAsync<BadHttpRequestException>(() => ProcessorRequestReader.ReadAsync(context.Request, options, CancellationToken.None));

        Assert.Equal(StatusCodes.Status408RequestTimeout, refusal.StatusCode);
        Assert.Contains("Profiler:RequestBodyTimeoutSeconds", refusal.Message, StringComparison.Ordinal);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(5));
    }

    /// <summary>A client that sends a byte now and then, forever.</summary>
    private sealed class NeverEndingStream : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await Task.Delay(200, cancellationToken);
            buffer.Span[0] = (byte)' ';
            return 1;
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override void Flush() { }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
