using Microsoft.Extensions.Options;

namespace CoreFileProfiler.Node.Sandbox;

/// <summary>The uids of running sandboxed terminals: each gets its own, so no two can touch each other's files or processes.</summary>
public sealed class SandboxUids(IOptions<ProfilerOptions> options)
{
    private readonly HashSet<int> _inUse = [];
    private int _next;

    public int Rent()
    {
        var range = options.Value.Sandbox;
        lock (_inUse)
        {
            // Round robin, so a uid just given back (whose files may still be going away) is used last.
            for (var tried = 0; tried < range.UidCount; tried++)
            {
                var uid = range.FirstUid + (_next++ % range.UidCount);
                if (_inUse.Add(uid)) return uid;
            }
        }

        throw new SandboxUnavailableException($"All {range.UidCount} sandbox uids are in use by running terminals.");
    }

    public void Return(int uid)
    {
        lock (_inUse) _inUse.Remove(uid);
    }
}
