using System.Text;
using System.Text.Json;
using CoreFileProfiler.Node.Terminals;
using CoreFileProfiler.Silo.Terminals;
using CsCheck;

namespace CoreFileProfiler.Tests.Terminals;

/// <summary>Whatever frame a viewer sends, it is one valid message or refused with a reason (the relay's close 1008); never an exception.</summary>
public sealed class TerminalMessagePropertyTests
{
    private static readonly Gen<string> Value = Gen.OneOf(
        Gen.String.Select(s => JsonSerializer.Serialize(s)),
        Gen.Int.Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        Gen.Double.Select(d => d.ToString("R", System.Globalization.CultureInfo.InvariantCulture)),
        Gen.OneOf("\"input\"", "\"resize\"", "\"\\uD800\"", "\"a\\uDFFFb\"", "\"\\u0003\"", "null", "true", "[]", "{}", "1e999", "2147483648", "-1", "120", "40"));

    private static readonly Gen<string> Member = Gen.Select(Gen.OneOf("type", "data", "cols", "rows", "x"), Value, (key, value) => $"\"{key}\":{value}");

    private static readonly Gen<string> Frame = Gen.Select(Member.Array[0, 6], Gen.OneOf("", "}", ",", " "), (members, tail) => "{" + string.Join(',', members) + tail + "}");

    private static void IsMessageOrReason(byte[] frame)
    {
        var message = TerminalMessage.Parse(frame, out var problem);
        if (message is null)
        {
            Assert.False(string.IsNullOrWhiteSpace(problem));
        }
        else if (!message.IsInput)
        {
            Assert.True(SharedTerminal.IsValidSize(message.Cols, message.Rows), $"{message.Cols}×{message.Rows}");
        }
    }

    [Fact]
    public void Random_bytes_are_a_message_or_a_reason() => Gen.Byte.Array[0, 2048].Sample(IsMessageOrReason, iter: 10_000);

    [Fact]
    public void Json_frames_of_any_shape_are_a_message_or_a_reason() => Frame.Sample(frame => IsMessageOrReason(Encoding.UTF8.GetBytes(frame)), iter: 10_000);

    [Theory]
    [InlineData("{\"type\":\"input\",\"data\":\"\\uD800\"}")]
    [InlineData("{\"type\":\"input\",\"data\":\"\\uDC00\"}")]
    [InlineData("{\"type\":\"resize\",\"cols\":1e3,\"rows\":2}")]
    public void Frames_a_serializer_never_writes_are_refused_with_a_reason(string frame)
    {
        Assert.Null(TerminalMessage.Parse(Encoding.UTF8.GetBytes(frame), out var problem));
        Assert.False(string.IsNullOrWhiteSpace(problem));
    }
}
