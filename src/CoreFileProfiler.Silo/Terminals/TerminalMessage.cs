using CoreFileProfiler.Node.Terminals;
using System.Text.Json;

namespace CoreFileProfiler.Silo.Terminals;

/// <summary>
/// A viewer's message (docs/architecture.md, HTTP contract): <c>{"type":"input","data":"bt\n"}</c> or
/// <c>{"type":"resize","cols":120,"rows":40}</c>.
/// </summary>
public sealed record TerminalMessage(string? Input, int Cols, int Rows)
{
    public bool IsInput => Input is not null;

    /// <summary>Parses a message; null with <paramref name="problem"/> saying what is wrong.</summary>
    public static TerminalMessage? Parse(ReadOnlySpan<byte> json, out string problem)
    {
        problem = "";
        try
        {
            var reader = new Utf8JsonReader(json);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String)
            {
                problem = "Messages are JSON objects with a \"type\" of \"input\" or \"resize\".";
                return null;
            }

            switch (type.GetString())
            {
                case "input" when root.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.String:
                    return new TerminalMessage(data.GetString(), 0, 0);
                case "resize" when root.TryGetProperty("cols", out var cols) && cols.TryGetInt32(out var c)
                                   && root.TryGetProperty("rows", out var rows) && rows.TryGetInt32(out var r):
                    if (SharedTerminal.IsValidSize(c, r)) return new TerminalMessage(null, c, r);
                    problem = $"A terminal is 1 to {SharedTerminal.MaxSize} columns and rows, not {c}×{r}.";
                    return null;
                case "input":
                    problem = "An input message needs \"data\": a string.";
                    return null;
                case "resize":
                    problem = "A resize message needs whole numbers \"cols\" and \"rows\".";
                    return null;
                default:
                    problem = $"Unknown message type '{type.GetString()}'; use \"input\" or \"resize\".";
                    return null;
            }
        }
        catch (JsonException)
        {
            problem = "Messages must be valid JSON.";
            return null;
        }
        catch (InvalidOperationException)
        {
            // Valid JSON, but a string escapes half a surrogate pair ("\uD800"): it is no text at all.
            problem = "Messages must be valid JSON text: a string escapes an unpaired UTF-16 surrogate.";
            return null;
        }
    }
}
