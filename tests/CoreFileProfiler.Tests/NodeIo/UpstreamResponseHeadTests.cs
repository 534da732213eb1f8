using System.Text;
using CoreFileProfiler.Silo.NodeIo;

namespace CoreFileProfiler.Tests.NodeIo;

public sealed class UpstreamResponseHeadTests
{
    [Fact]
    public void A_gateways_206_head_is_read_with_its_length_and_fields_and_the_body_after_it_is_left_alone()
    {
        var text = "HTTP/1.1 206 Partial Content\r\nContent-Length: 100\r\nContent-Range: bytes 0-99/1000\r\nETag:  \"3e8-1\" \r\n\r\nBODY";
        var head = Parse(text, out var length);

        Assert.NotNull(head);
        Assert.Equal(text.IndexOf("BODY", StringComparison.Ordinal), length);
        Assert.Equal(206, head.StatusCode);
        Assert.Equal(100, head.ContentLength);
        Assert.True(head.HasPlainBody);
        Assert.Equal(new KeyValuePair<string, string>("ETag", "\"3e8-1\""), head.Fields[2]);
    }

    [Theory]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Len")]
    [InlineData("HTTP/1.1 200 OK\r\n\r")]
    [InlineData("")]
    public void An_incomplete_head_asks_for_more(string text) => Assert.Null(Parse(text, out _));

    [Theory]
    [InlineData("HTTP/1.1 304 Not Modified\r\nETag: \"1\"\r\n\r\n")]
    [InlineData("HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */10\r\nContent-Length: 0\r\n\r\n")]
    [InlineData("HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\n\r\n")]
    public void Answers_without_a_plain_body_of_known_length_are_read_but_not_moved_as_they_are(string text)
    {
        var head = Parse(text, out _);
        Assert.NotNull(head);
        Assert.False(head.HasPlainBody);
    }

    [Theory]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n", "more than one Content-Length")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 5\r\ncontent-length: 9\r\n\r\n", "more than one Content-Length")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 5, 5\r\n\r\n", "a malformed Content-Length")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: +5\r\n\r\n", "a malformed Content-Length")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n", "a malformed Content-Length")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", "both Content-Length and Transfer-Encoding")]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length : 5\r\n\r\n", "a malformed header field")]
    [InlineData("HTTP/1.1 200 OK\r\n Content-Length: 5\r\n\r\n", "a malformed header field")]
    [InlineData("HTTP/1.1 200 OK\r\nX: a\nContent-Length: 5\r\n\r\n", "a bare CR or LF")]
    [InlineData("HTTP/1.1 200 OK\r\nX: a\rContent-Length: 5\r\n\r\n", "a bare CR or LF")]
    [InlineData("HTTP/1.1 200 OK\r\nX: caf\u00e9\r\n\r\n", "a header value with control or non-ASCII characters")]
    [InlineData("HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\n", "a malformed status line")]
    [InlineData("HTTP/1.1 2000 OK\r\nContent-Length: 5\r\n\r\n", "a malformed status line")]
    [InlineData("HTTP/1.1 2x0 OK\r\n\r\n", "a malformed status line")]
    [InlineData("HTTP/1.1 101 Switching Protocols\r\n\r\n", "status 101")]
    [InlineData("http/1.1 200 OK\r\n\r\n", "a malformed status line")]
    public void Heads_two_parsers_could_read_two_ways_are_refused(string text, string reason)
    {
        var refused = Assert.Throws<RefusedResponseHeadException>(() => Parse(text, out _));
        Assert.Equal(reason, refused.Message);
    }

    [Fact]
    public void A_head_that_does_not_end_within_its_bound_is_refused_without_reading_on()
    {
        var endless = Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\n" + new string('a', UpstreamResponseHead.MaxBytes));
        Assert.Throws<RefusedResponseHeadException>(() => UpstreamResponseHead.TryParse(endless, out _));

        // Ending just past the bound is as refused as not ending at all.
        var late = Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nX-Padding: " + new string('a', UpstreamResponseHead.MaxBytes - 30) + "\r\n\r\n");
        Assert.True(late.Length > UpstreamResponseHead.MaxBytes);
        Assert.Throws<RefusedResponseHeadException>(() => UpstreamResponseHead.TryParse(late, out _));
    }

    [Fact]
    public void More_fields_than_the_bound_are_refused()
    {
        var text = "HTTP/1.1 200 OK\r\n" + string.Concat(Enumerable.Range(0, UpstreamResponseHead.MaxFields + 1).Select(i => $"X-{i}: 1\r\n")) + "\r\n";
        Assert.Throws<RefusedResponseHeadException>(() => Parse(text, out _));
    }

    private static UpstreamResponseHead? Parse(string text, out int length) => UpstreamResponseHead.TryParse(Encoding.Latin1.GetBytes(text), out length);
}
