using System.Buffers;
using System.Text;

namespace CoreFileProfiler.Silo.NodeIo;

/// <summary>
/// The status line and header fields of an owning gateway's answer to a forwarded download, read by
/// <see cref="SplicedDownloadForwarder"/> before it moves the body without looking at it. Strict and bounded,
/// because the body's length is taken from here: anything two parsers could read two ways (a duplicate or
/// list-valued Content-Length, Content-Length beside Transfer-Encoding, a bare CR or LF, a folded line,
/// whitespace before a colon) is refused, as is a head larger than <see cref="MaxBytes"/>
/// (docs/architecture.md, Request flows).
/// </summary>
internal sealed class UpstreamResponseHead
{
    /// <summary>The largest head read; a gateway's download head is a few hundred bytes.</summary>
    public const int MaxBytes = 16 << 10;

    /// <summary>The most header fields read.</summary>
    public const int MaxFields = 64;

    private static readonly SearchValues<byte> Token = SearchValues.Create("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"u8);

    private UpstreamResponseHead(int statusCode, IReadOnlyList<KeyValuePair<string, string>> fields, long? contentLength, bool transferEncoded)
    {
        StatusCode = statusCode;
        Fields = fields;
        ContentLength = contentLength;
        TransferEncoded = transferEncoded;
    }

    public int StatusCode { get; }

    /// <summary>The header fields in the order they came, names as written, values without surrounding whitespace.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Fields { get; }

    public long? ContentLength { get; }

    /// <summary>Whether the body has a transfer coding (chunked), so its length is not known from the head.</summary>
    public bool TransferEncoded { get; }

    /// <summary>Whether the body is exactly <see cref="ContentLength"/> bytes of the file: a 200 or 206 with a length and no transfer coding.</summary>
    public bool HasPlainBody => StatusCode is 200 or 206 && ContentLength is not null && !TransferEncoded;

    /// <summary>
    /// Reads the head at the start of <paramref name="received"/>. Null while it may still be incomplete;
    /// otherwise the head, with <paramref name="length"/> its size including the empty line that ends it.
    /// </summary>
    /// <exception cref="RefusedResponseHeadException">The head is malformed, ambiguous or too large.</exception>
    public static UpstreamResponseHead? TryParse(ReadOnlySpan<byte> received, out int length)
    {
        var end = received[..Math.Min(received.Length, MaxBytes)].IndexOf("\r\n\r\n"u8);
        if (end < 0)
        {
            length = 0;
            return received.Length >= MaxBytes ? throw new RefusedResponseHeadException($"a head larger than {MaxBytes} bytes") : null;
        }

        length = end + 4;
        var lines = received[..(end + 2)];
        var statusLine = NextLine(ref lines);
        var statusCode = StatusOf(statusLine);
        var fields = new List<KeyValuePair<string, string>>();
        long? contentLength = null;
        var transferEncoded = false;
        while (!lines.IsEmpty)
        {
            if (fields.Count == MaxFields) throw new RefusedResponseHeadException($"more than {MaxFields} header fields");
            var (name, value) = FieldOf(NextLine(ref lines));
            if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                if (contentLength is not null) throw new RefusedResponseHeadException("more than one Content-Length");
                contentLength = LengthOf(value);
            }
            else if (name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
            {
                transferEncoded = true;
            }

            fields.Add(new(name, value));
        }

        if (transferEncoded && contentLength is not null) throw new RefusedResponseHeadException("both Content-Length and Transfer-Encoding");
        return new UpstreamResponseHead(statusCode, fields, contentLength, transferEncoded);
    }

    /// <summary>The line up to the next CRLF (there is one: the head ends in one), which must hold no other CR or LF.</summary>
    private static ReadOnlySpan<byte> NextLine(ref ReadOnlySpan<byte> lines)
    {
        var end = lines.IndexOf("\r\n"u8);
        var line = lines[..end];
        lines = lines[(end + 2)..];
        return line.IndexOfAny((byte)'\r', (byte)'\n') < 0 ? line : throw new RefusedResponseHeadException("a bare CR or LF");
    }

    /// <summary>"HTTP/1.1 206 Partial Content": the version this gateway asked in, a final status, printable text.</summary>
    private static int StatusOf(ReadOnlySpan<byte> line)
    {
        if (line.Length < 12 || !line.StartsWith("HTTP/1.1 "u8) || (line.Length > 12 && line[12] != ' ') || !IsFieldText(line[12..])) throw new RefusedResponseHeadException("a malformed status line");
        var code = line[9..12];
        if (code.ContainsAnyExceptInRange((byte)'0', (byte)'9')) throw new RefusedResponseHeadException("a malformed status line");
        var status = ((code[0] - '0') * 100) + ((code[1] - '0') * 10) + (code[2] - '0');
        return status is >= 200 and <= 599 ? status : throw new RefusedResponseHeadException($"status {status}");
    }

    private static (string Name, string Value) FieldOf(ReadOnlySpan<byte> line)
    {
        var colon = line.IndexOf((byte)':');
        if (colon <= 0 || line[..colon].ContainsAnyExcept(Token)) throw new RefusedResponseHeadException("a malformed header field");
        var value = line[(colon + 1)..].Trim(" \t"u8);
        if (!IsFieldText(value)) throw new RefusedResponseHeadException("a header value with control or non-ASCII characters");
        return (Encoding.ASCII.GetString(line[..colon]), Encoding.ASCII.GetString(value));
    }

    /// <summary>Digits only, one number: "12, 12" and "+12" are how two parsers come to disagree.</summary>
    private static long LengthOf(string value) =>
        value.Length is > 0 and <= 18 && !value.AsSpan().ContainsAnyExceptInRange('0', '9') ? long.Parse(value, System.Globalization.CultureInfo.InvariantCulture)
            : throw new RefusedResponseHeadException("a malformed Content-Length");

    /// <summary>Visible ASCII, spaces and tabs.</summary>
    private static bool IsFieldText(ReadOnlySpan<byte> text)
    {
        foreach (var b in text)
        {
            if (b is not ((>= 0x20 and <= 0x7E) or (byte)'\t')) return false;
        }

        return true;
    }
}
