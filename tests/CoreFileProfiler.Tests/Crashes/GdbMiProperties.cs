using System.Text;
using System.Text.Json.Nodes;
using CoreFileProfiler.Node.Debugging;
using CsCheck;

namespace CoreFileProfiler.Tests.Crashes;

/// <summary>gdb's MI records carry a hostile core's names: any line is answered (parsed or refused), never thrown on; what gdb quotes comes back as it was.</summary>
public sealed class GdbMiProperties
{
    [Fact]
    public void Any_line_is_parsed_or_refused_without_an_exception() =>
        Gen.String[Gen.Char["^done,=[]{}\"\\0x7nfunc"], 0, 200].Sample(line =>
        {
            // Parsed or not, a parsed record has a class: no half-read answer passes.
            Assert.True(!GdbMi.TryParseResult("^" + line, out var resultClass, out _) || resultClass.Length > 0);
            Assert.True(!GdbMi.TryParseResult(line, out resultClass, out _) || resultClass.Length > 0);
        }, iter: 20_000);

    [Fact]
    public void A_name_quoted_as_gdb_quotes_it_reads_back_exactly() =>
        Gen.String.Where(s => !s.Any(char.IsSurrogate)).Sample(name =>
        {
            var line = $"^done,stack=[frame={{level=\"0\",func=\"{Quote(name)}\",line=\"7\"}},frame={{level=\"1\"}}]";
            Assert.True(GdbMi.TryParseResult(line, out var resultClass, out var results), line);
            Assert.Equal("done", resultClass);
            var frames = results["stack"]!.AsArray();
            Assert.Equal(2, frames.Count);
            Assert.Equal(name, frames[0]!["func"]!.GetValue<string>());
            Assert.Equal("7", frames[0]!["line"]!.GetValue<string>());
        }, iter: 5_000);

    [Fact]
    public void Reads_gdbs_own_answers()
    {
        Assert.True(GdbMi.TryParseResult("^done,thread-ids={thread-id=\"1\",thread-id=\"2\"},current-thread-id=\"1\",number-of-threads=\"2\"", out _, out var threads));
        Assert.Equal("2", threads["number-of-threads"]!.GetValue<string>());
        Assert.True(GdbMi.TryParseResult("^error,msg=\"No symbol \\\"x\\\" in current context.\"", out var error, out var message));
        Assert.Equal(("error", "No symbol \"x\" in current context."), (error, message["msg"]!.GetValue<string>()));
        Assert.False(GdbMi.TryParseResult("^done,stack=[frame={level=\"0\"}", out _, out _)); // cut short
        Assert.False(GdbMi.TryParseResult(new string('[', 100_000), out _, out _));
        Assert.False(GdbMi.TryParseResult("^done,x=" + new string('[', 10_000) + new string(']', 10_000), out _, out JsonObject _)); // deeper than it reads
    }

    /// <summary>As gdb's MI prints a C string: quotes and backslashes escaped, control and non-ASCII bytes as octal.</summary>
    private static string Quote(string text)
    {
        var quoted = new StringBuilder();
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            quoted.Append(b switch
            {
                (byte)'"' => "\\\"",
                (byte)'\\' => "\\\\",
                (byte)'\n' => "\\n",
                < 0x20 or >= 0x7f => $"\\{Convert.ToString(b, 8).PadLeft(3, '0')}",
                _ => ((char)b).ToString(),
            });
        }

        return quoted.ToString();
    }
}
