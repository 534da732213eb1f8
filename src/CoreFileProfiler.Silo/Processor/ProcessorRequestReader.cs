using System.Buffers;
using System.Globalization;
using System.Text.Json;
using CoreFileProfiler.Node;

namespace CoreFileProfiler.Silo.Processor;

/// <summary>
/// Reads the KubeDiag processor body (docs/architecture.md, HTTP contract): a JSON object of strings, whatever the
/// Content-Type says (the agent sends none), with unknown keys ignored. Every refusal names the
/// parameter at fault.
/// </summary>
public static class ProcessorRequestReader
{
    private const string Parameter = "param.diagnoser.runtime.core_file_profiler.";
    public const string ExpirationKey = Parameter + "expiration_seconds";
    public const string TypeKey = Parameter + "type";
    public const string FilePathKey = Parameter + "filepath";
    public const string PidKey = Parameter + "pid";
    public const string NamespaceKey = "pod.namespace";
    public const string PodKey = "pod.name";
    public const string ContainerKey = "container";
    public const string NodeKey = "node";

    private const int FirstBufferBytes = 4 << 10;

    /// <summary>
    /// Reads the whole body, at most <see cref="ProfilerOptions.MaxRequestBodyBytes"/> (413) within
    /// <see cref="ProfilerOptions.RequestBodyTimeoutSeconds"/> (408), and parses it. The buffer grows with
    /// what has arrived, never with what Content-Length promises: a declared size costs nothing until sent.
    /// </summary>
    public static async Task<ProcessorCall> ReadAsync(HttpRequest request, ProfilerOptions options, CancellationToken cancellationToken)
    {
        var max = (int)options.MaxRequestBodyBytes;
        if (request.ContentLength > max) throw TooLarge(max);
        // Kestrel cuts a body slower than its minimum rate; this bounds one that trickles in just above it.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(options.RequestBodyTimeoutSeconds));
        var buffer = ArrayPool<byte>.Shared.Rent(FirstBufferBytes);
        try
        {
            var length = 0;
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length > max) throw TooLarge(max);
                    var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min(buffer.Length * 2L, max + 1L));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                int read;
                try
                {
                    read = await request.Body.ReadAsync(buffer.AsMemory(length), deadline.Token);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new BadHttpRequestException(
                        $"The body did not arrive within {options.RequestBodyTimeoutSeconds} s (Profiler:RequestBodyTimeoutSeconds).", StatusCodes.Status408RequestTimeout);
                }

                if (read == 0) break;
                length += read;
            }

            if (length > max) throw TooLarge(max);
            return Parse(buffer.AsSpan(0, length), options.MaxExpirationSeconds);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public static ProcessorCall Parse(ReadOnlySpan<byte> body, int maxExpirationSeconds)
    {
        JsonDocument document;
        try
        {
            var reader = new Utf8JsonReader(body, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            document = JsonDocument.ParseValue(ref reader);
        }
        catch (JsonException e)
        {
            throw ProfilerException.Invalid(body.IsEmpty ? "The body is empty; expected a JSON object of parameters." : $"The body is not valid JSON: {e.Message}");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw ProfilerException.Invalid($"The body must be a JSON object of parameters, not a JSON {root.ValueKind.ToString().ToLowerInvariant()}.");
            }

            var type = Text(root, TypeKey)?.ToLowerInvariant() switch
            {
                "coredump" => SessionType.Coredump,
                "gcore" => SessionType.Gcore,
                null => throw ProfilerException.Invalid($"{TypeKey} is required: 'coredump' or 'gcore'."),
                var other => throw ProfilerException.Invalid($"{TypeKey} must be 'coredump' or 'gcore', not '{other}'."),
            };
            var expiration = Number(root, ExpirationKey, required: true, 1, maxExpirationSeconds, "Profiler:MaxExpirationSeconds");
            var pid = Number(root, PidKey, required: false, 0, int.MaxValue, null);
            var filePath = Text(root, FilePathKey);
            var ns = Text(root, NamespaceKey);
            var pod = Text(root, PodKey);
            var node = Text(root, NodeKey);

            if (node is not null && !NodeName.IsValid(node)) throw ProfilerException.Invalid($"{NodeKey} '{node}' is not a valid node name.");
            var needsPod = type == SessionType.Coredump ? filePath is null : pid == 0;
            if (needsPod && (ns is null || pod is null))
            {
                var instead = type == SessionType.Coredump ? FilePathKey : PidKey;
                throw ProfilerException.Invalid($"{NamespaceKey} and {PodKey} are required for type '{type.ToString().ToLowerInvariant()}' without {instead}.");
            }

            return new ProcessorCall(new SessionRequest(type, expiration, filePath, pid, ns, pod, Text(root, ContainerKey)), node);
        }
    }

    /// <summary>A parameter's text; empty counts as absent. Numbers are taken too, for hand-written calls.</summary>
    private static string? Text(JsonElement root, string key) =>
        !root.TryGetProperty(key, out var value) ? null : value.ValueKind switch
        {
            JsonValueKind.String => String(value, key) is { Length: > 0 } text ? text : null,
            JsonValueKind.Number => value.GetRawText(),
            JsonValueKind.Null => null,
            _ => throw ProfilerException.Invalid($"{key} must be a string, not a JSON {value.ValueKind.ToString().ToLowerInvariant()}."),
        };

    private static string? String(JsonElement value, string key)
    {
        try
        {
            return value.GetString();
        }
        catch (InvalidOperationException)
        {
            // Valid JSON, but it escapes half a surrogate pair ("\uD800"): no text at all.
            throw ProfilerException.Invalid($"{key} is not valid text: it escapes an unpaired UTF-16 surrogate.");
        }
    }

    private static int Number(JsonElement root, string key, bool required, int min, int max, string? maxSetting)
    {
        var text = Text(root, key);
        if (text is null)
        {
            return required ? throw ProfilerException.Invalid($"{key} is required.") : min;
        }

        var range = $"between {min} and {max}" + (maxSetting is null ? "" : $" ({maxSetting})");
        var isInteger = long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number);
        var looksInteger = text.TrimStart('-', '+') is { Length: > 0 } digits && digits.All(char.IsAsciiDigit); // too large for a long
        if (!isInteger && !looksInteger) throw ProfilerException.Invalid($"{key} must be a whole number {range}, not '{text}'.");
        if (!isInteger || number < min || number > max) throw ProfilerException.Invalid($"{key} must be {range}, not {text}.");
        return (int)number;
    }

    private static BadHttpRequestException TooLarge(int max) =>
        new($"The body is larger than {max} bytes (Profiler:MaxRequestBodyBytes).", StatusCodes.Status413PayloadTooLarge);
}
