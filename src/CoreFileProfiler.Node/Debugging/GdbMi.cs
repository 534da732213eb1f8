using System.Text;
using System.Text.Json.Nodes;

namespace CoreFileProfiler.Node.Debugging;

/// <summary>
/// gdb's machine interface output (MI): a result record such as
/// <c>^done,stack=[frame={level="0",func="main"}]</c>, read into JSON nodes: a tuple is an object
/// (a repeated name keeps its first value), a list an array (names in a list of results dropped),
/// a value a string. Names and strings come from the core and its program, so they are hostile:
/// nothing here trusts a length, and nesting is bounded.
/// </summary>
public static class GdbMi
{
    private const int MaxDepth = 16;

    /// <summary>
    /// A result record (<c>^class,results…</c>) with its class (<c>done</c>, <c>error</c>) and
    /// results; false for any other line or anything malformed.
    /// </summary>
    public static bool TryParseResult(string line, out string resultClass, out JsonObject results)
    {
        resultClass = "";
        results = [];
        if (!line.StartsWith('^')) return false;
        var end = line.IndexOf(',', StringComparison.Ordinal);
        resultClass = end < 0 ? line[1..] : line[1..end];
        if (resultClass.Length == 0 || !resultClass.All(char.IsAsciiLetterLower)) return false;
        if (end < 0) return true;
        var position = end;
        try
        {
            while (position < line.Length && line[position] == ',')
            {
                position++;
                var (name, value) = ReadResult(line, ref position, 0);
                results.TryAdd(name, value);
            }

            return position == line.Length;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static (string Name, JsonNode Value) ReadResult(string line, ref int position, int depth)
    {
        var start = position;
        while (position < line.Length && line[position] != '=') position++;
        if (position == start || position == line.Length) throw new FormatException("no name");
        var name = line[start..position];
        position++;
        return (name, ReadValue(line, ref position, depth));
    }

    private static JsonNode ReadValue(string line, ref int position, int depth)
    {
        if (depth > MaxDepth || position >= line.Length) throw new FormatException("too deep or cut short");
        switch (line[position])
        {
            case '"':
                return JsonValue.Create(ReadString(line, ref position));
            case '{':
            {
                var tuple = new JsonObject();
                position++;
                if (Take(line, ref position, '}')) return tuple;
                do
                {
                    var (name, value) = ReadResult(line, ref position, depth + 1);
                    tuple.TryAdd(name, value);
                }
                while (Take(line, ref position, ','));
                return Take(line, ref position, '}') ? tuple : throw new FormatException("unclosed tuple");
            }

            case '[':
            {
                var list = new JsonArray();
                position++;
                if (Take(line, ref position, ']')) return list;
                do
                {
                    // A list holds values or results (name=value): the names add nothing.
                    list.Add(position < line.Length && line[position] is '"' or '{' or '[' ? ReadValue(line, ref position, depth + 1) : ReadResult(line, ref position, depth + 1).Value);
                }
                while (Take(line, ref position, ','));
                return Take(line, ref position, ']') ? list : throw new FormatException("unclosed list");
            }

            default:
                throw new FormatException("not a value");
        }
    }

    /// <summary>A C string as gdb quotes it: <c>\"</c>, <c>\\</c>, <c>\n</c> and friends, and octal bytes (<c>\303\251</c>, UTF-8).</summary>
    private static string ReadString(string line, ref int position)
    {
        var bytes = new List<byte>();
        Span<byte> encoded = stackalloc byte[4];
        position++;
        while (position < line.Length)
        {
            var c = line[position++];
            if (c == '"') return Encoding.UTF8.GetString([.. bytes]);
            if (c != '\\')
            {
                var rune = char.IsSurrogate(c) && position < line.Length ? new string([c, line[position++]]) : c.ToString();
                var length = Encoding.UTF8.GetBytes(rune, encoded);
                for (var i = 0; i < length; i++) bytes.Add(encoded[i]);
                continue;
            }

            if (position >= line.Length) break;
            var escaped = line[position++];
            if (escaped is >= '0' and <= '7')
            {
                var value = escaped - '0';
                for (var digits = 1; digits < 3 && position < line.Length && line[position] is >= '0' and <= '7'; digits++) value = (value * 8) + (line[position++] - '0');
                bytes.Add((byte)value);
                continue;
            }

            bytes.Add(escaped switch
            {
                'n' => (byte)'\n',
                't' => (byte)'\t',
                'r' => (byte)'\r',
                'a' => 7,
                'b' => 8,
                'f' => 12,
                'v' => 11,
                'e' => 27,
                _ => (byte)escaped,
            });
        }

        throw new FormatException("unclosed string");
    }

    private static bool Take(string line, ref int position, char expected)
    {
        if (position >= line.Length || line[position] != expected) return false;
        position++;
        return true;
    }
}
