using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CoreFileProfiler.Node;
using CoreFileProfiler.Node.Debugging;
using CoreFileProfiler.Store;
using Microsoft.Extensions.Options;

namespace CoreFileProfiler.Grains.Crashes;

/// <summary>
/// Makes a core's <see cref="CrashReport"/> with gdb in batch mode, in the sandbox a terminal gets
/// (<see cref="GdbLauncher.RunBatchOnCore"/>), asking through gdb's machine interface (MI) for the
/// signal, the faulting address, the threads and the crashing thread's frames. gdb's output is the
/// core's and its program's words: read within a size, each answer found after a marker line with a
/// random word the core cannot guess, and every name bounded and stripped of control characters.
/// </summary>
public sealed partial class GdbCrashReader(GdbLauncher gdb, IOptions<ProfilerOptions> options, TimeProvider time)
{
    /// <summary>Frames read of the crashing thread, innermost first.</summary>
    public const int MaxFrames = 64;

    private const int MaxOutputBytes = 4 << 20;
    private const int MaxNameChars = 512;

    /// <summary>The report of the core at <paramref name="corePath"/>, whose collector's metadata is <paramref name="metadata"/>.</summary>
    public CrashReport Read(string corePath, CoreMetadata metadata, CancellationToken cancellationToken = default)
    {
        var marker = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        var limit = TimeSpan.FromSeconds(options.Value.CrashReportTimeoutSeconds);
        var (output, finished, notes) = gdb.RunBatchOnCore(corePath, Commands(marker), limit, MaxOutputBytes, cancellationToken);
        var answers = Answers(output, marker);

        var signal = Number(answers.GetValueOrDefault("signal")?["value"]) ?? metadata.Signal;
        var address = SignalNames.HasFaultAddress(signal) && answers.GetValueOrDefault("address")?["value"]?.GetValue<string>() is { } value
            ? HexAddress().Match(value) is { Success: true } hex ? hex.Value : null
            : null;
        var frames = answers.GetValueOrDefault("frames")?["stack"] is JsonArray stack
            ? stack.OfType<JsonObject>().Take(MaxFrames).Select(frame => Frame(frame, notes)).ToList()
            : [];
        var threads = Number(answers.GetValueOrDefault("threads")?["number-of-threads"]) ?? 0;
        var error = !finished
            ? $"gdb did not finish within {limit.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s (or printed more than {MaxOutputBytes >> 20} MiB) and was killed"
            : frames.Count == 0 ? "gdb found no stack in the core" : null;
        return Build(metadata, signal, address, frames, threads, error);
    }

    /// <summary>A report without gdb's words: the core is not there to read, or gdb could not run.</summary>
    public CrashReport Unread(CoreMetadata metadata, string why) => Build(metadata, metadata.Signal, null, [], 0, why);

    private CrashReport Build(CoreMetadata metadata, int? signal, string? address, IReadOnlyList<CrashFrame> frames, int threads, string? error)
    {
        var name = SignalNames.Of(signal);
        return new CrashReport(
            signal, name, address, frames, threads, Summary(name ?? (signal is { } s ? $"signal {s}" : "crash"), frames, error),
            CrashSignature.Of(metadata.BuildId, metadata.Exe, frames), error, time.GetUtcNow());
    }

    /// <summary><c>SIGSEGV in crash_here (crasher.c:7)</c>: the first frame of the program's own code, else the innermost.</summary>
    private static string Summary(string signal, IReadOnlyList<CrashFrame> frames, string? error)
    {
        var frame = frames.FirstOrDefault(CrashSignature.IsInProgram) ?? (frames.Count > 0 ? frames[0] : null);
        return frame switch
        {
            { Function: { } function, File: { } file, Line: { } line } => $"{signal} in {function} ({Path.GetFileName(file)}:{line.ToString(CultureInfo.InvariantCulture)})",
            { Function: { } function, Module: { } module } => $"{signal} in {function} ({module})",
            { Function: { } function } => $"{signal} in {function}",
            { Module: { } module, Offset: { } offset } => $"{signal} at {module}+0x{offset:x}",
            _ => error is null ? signal : $"{signal} (no backtrace: {error})",
        };
    }

    private static IEnumerable<string> Commands(string marker) =>
    [
        $"echo \\n{marker} signal\\n",
        "interpreter-exec mi \"-data-evaluate-expression $_siginfo.si_signo\"",
        $"echo \\n{marker} address\\n",
        "interpreter-exec mi \"-data-evaluate-expression $_siginfo._sifields._sigfault.si_addr\"",
        $"echo \\n{marker} threads\\n",
        "interpreter-exec mi \"-thread-list-ids\"",
        $"echo \\n{marker} frames\\n",
        $"interpreter-exec mi \"-stack-list-frames 0 {MaxFrames - 1}\"",
        $"echo \\n{marker} end\\n",
    ];

    /// <summary>The first <c>^done</c> record after each marker line, by the marker's name.</summary>
    private static Dictionary<string, JsonObject> Answers(string output, string marker)
    {
        var answers = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        string? asked = null;
        foreach (var line in output.Split('\n').Select(l => l.TrimEnd('\r')))
        {
            if (line.StartsWith(marker + " ", StringComparison.Ordinal))
            {
                asked = line[(marker.Length + 1)..];
            }
            else if (asked is not null && line.StartsWith('^'))
            {
                if (GdbMi.TryParseResult(line, out var resultClass, out var results) && resultClass == "done") answers.TryAdd(asked, results);
                asked = null;
            }
        }

        return answers;
    }

    private static CrashFrame Frame(JsonObject frame, CoreNotes? notes)
    {
        var function = Text(frame["func"]);
        var address = Text(frame["addr"]) is { } hex && hex.StartsWith("0x", StringComparison.Ordinal)
            && ulong.TryParse(hex.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var parsed) ? parsed : (ulong?)null;
        var located = address is { } at ? notes?.Locate(at) : null;
        return new CrashFrame(
            function is null or "??" ? null : function,
            Text(frame["file"]),
            Number(frame["line"]),
            Text(located is { } found ? Path.GetFileName(found.Path) : Text(frame["from"]) is { } from ? Path.GetFileName(from) : null),
            located?.Offset);
    }

    /// <summary>A name from the core, fit to be shown anywhere: bounded, control characters escaped.</summary>
    private static string? Text(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? Text(text) : null;

    private static string? Text(string? text) =>
        text is null ? null : TenantText.Printable(text.Length > MaxNameChars ? text[..MaxNameChars] : text);

    private static int? Number(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<string>(out var text) && int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) ? number : null;

    [GeneratedRegex("0x[0-9a-fA-F]{1,16}")]
    private static partial Regex HexAddress();
}
