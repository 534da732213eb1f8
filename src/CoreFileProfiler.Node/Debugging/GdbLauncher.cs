using System.Text.Json;
using CoreFileProfiler.Node.Terminals;
using Microsoft.Extensions.Options;

namespace CoreFileProfiler.Node.Debugging;

/// <summary>Starts gdb under a shared terminal: on a core with its executable when it can be found.</summary>
public sealed class GdbLauncher(IOptions<ProfilerOptions> options)
{
    public const int InitialCols = 120;
    public const int InitialRows = 36;

    /// <summary><c>gdb &lt;exe&gt; -c &lt;core&gt;</c>, or <c>gdb -c &lt;core&gt;</c> with a word on why symbols are missing.</summary>
    public SharedTerminal StartOnCore(string corePath)
    {
        var (executable, source) = FindExecutable(corePath);
        List<string> command = [options.Value.Gdb, "-q", "-nh", "-iex", "set debuginfod enabled off"];
        if (executable is not null) command.Add(executable);
        command.AddRange(["-c", corePath]);

        var terminal = new SharedTerminal(PseudoTerminal.Start(command, Environment(), InitialCols, InitialRows), "gdb");
        terminal.Announce(executable is not null
            ? $"core-file-profiler: {Path.GetFileName(corePath)} with executable {executable} (from {source})."
            : $"core-file-profiler: the executable of {Path.GetFileName(corePath)} was not found ({source}); symbols will be missing. If you have it: file /path/to/executable");
        return terminal;
    }

    /// <summary>The collector's metadata first (it saw the process alive), then the core's own notes.</summary>
    internal static (string? Executable, string Source) FindExecutable(string corePath)
    {
        var named = new List<(string Path, string Source)>();
        if (MetadataExecutable(corePath) is { } fromMetadata) named.Add((fromMetadata, "the collector's metadata"));
        if (CoreNotes.Read(corePath)?.Executable is { } fromNotes) named.Add((fromNotes, "the core's file notes"));

        foreach (var (path, source) in named)
        {
            // The kernel marks a binary replaced since the process started.
            var candidate = path.EndsWith(" (deleted)", StringComparison.Ordinal) ? path[..^10] : path;
            if (Path.IsPathRooted(candidate) && File.Exists(candidate)) return (candidate, source);
        }

        return (null, named.Count == 0 ? "the core names none" : $"the core names {named[0].Path}, which is not on this node");
    }

    private static string? MetadataExecutable(string corePath)
    {
        try
        {
            using var metadata = JsonDocument.Parse(File.ReadAllBytes(corePath + ".json"));
            return metadata.RootElement.TryGetProperty("exe", out var exe) && exe.ValueKind == JsonValueKind.String ? exe.GetString() : null;
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static Dictionary<string, string> Environment() => new()
    {
        ["PATH"] = System.Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/bin:/usr/bin:/bin",
        ["HOME"] = System.Environment.GetEnvironmentVariable("HOME") ?? "/root",
        ["TERM"] = "xterm-256color",
        ["LANG"] = "C.UTF-8",
        ["DEBUGINFOD_URLS"] = "",
    };
}
