using Microsoft.Extensions.Logging;

namespace CoreFileProfiler.Tests.Support;

/// <summary>Keeps every log line (level, event name, rendered message, and whether an exception came with it).</summary>
public sealed class RecordingLogger<TCategory> : ILogger<TCategory>
{
    private readonly List<(LogLevel Level, string Event, string Message, bool HasException)> _lines = [];

    public IReadOnlyList<(LogLevel Level, string Event, string Message, bool HasException)> Lines
    {
        get { lock (_lines) return [.. _lines]; }
    }

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_lines) _lines.Add((logLevel, eventId.Name ?? "", formatter(state, exception), exception is not null));
    }
}
