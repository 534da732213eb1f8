namespace CoreFileProfiler.Silo.Notifications;

/// <summary>
/// When a crash group is announced (docs/architecture.md, Crash notifications): a new group at once, a
/// known group at most once per <see cref="Interval"/>. Crashes within a group's minute are counted and
/// announced together by a timer when the minute is up, not held until a next crash that may never come.
/// A group quiet for a whole minute is forgotten, so what this holds is bounded by the groups that
/// crashed within the last minute.
/// </summary>
public sealed class CrashEventThrottle(TimeProvider time, Action<CrashNotice> announce) : IDisposable
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    private readonly Lock _lock = new();
    private readonly Dictionary<(string Node, string? Namespace, string? Container, string Signature), Window> _windows = [];
    private bool _disposed;

    /// <summary>Counts the crash and announces it now if its group may be announced now. Never waits: <c>announce</c> must not either.</summary>
    public void Filed(string node, CrashGroup group, bool newGroup)
    {
        var key = (node, group.Namespace, group.Container, group.Signature);
        lock (_lock)
        {
            if (_disposed) return;
            _windows.TryGetValue(key, out var open);
            if (open is not null && !newGroup)
            {
                open.Pending++;
                open.Latest = group;
                return;
            }

            // A group that starts again (its reports were removed meanwhile) is news: its earlier crashes still count.
            var since = 1 + (open?.Pending ?? 0);
            open?.Timer.Dispose();
            var window = new Window(key, node, group);
            using (ExecutionContext.SuppressFlow()) // the minute's announcement belongs to no one crash's call
            {
                window.Timer = time.CreateTimer(state => Close((Window)state!), window, Interval, Timeout.InfiniteTimeSpan);
            }
            _windows[key] = window;
            announce(new CrashNotice(node, group, since)); // under the lock, so a group's announcements keep their order
        }
    }

    /// <summary>A group's minute is up: announce what it gathered and open the next minute, or forget the group.</summary>
    private void Close(Window window)
    {
        lock (_lock)
        {
            if (_disposed || !_windows.TryGetValue(window.Key, out var current) || current != window) return;
            if (window.Pending == 0)
            {
                _windows.Remove(window.Key);
                window.Timer.Dispose();
                return;
            }

            announce(new CrashNotice(window.Node, window.Latest, window.Pending));
            window.Pending = 0;
            window.Timer.Change(Interval, Timeout.InfiniteTimeSpan);
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            foreach (var window in _windows.Values) window.Timer.Dispose();
            _windows.Clear();
        }
    }

    /// <summary>A group's current minute: crashes not yet announced, and the latest state of the group.</summary>
    private sealed class Window((string, string?, string?, string) key, string node, CrashGroup latest)
    {
        public (string Node, string? Namespace, string? Container, string Signature) Key { get; } = key;

        public string Node { get; } = node;

        public CrashGroup Latest { get; set; } = latest;

        public long Pending { get; set; }

        public ITimer Timer { get; set; } = null!;
    }
}
