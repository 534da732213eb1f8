using System.Collections.Concurrent;

namespace CoreFileProfiler.Node.Terminals;

/// <summary>
/// Every child is spawned from this one thread, which lives as long as the process. The kernel
/// delivers a child's parent-death signal (<c>setpriv --pdeathsig</c>) when the spawning
/// <em>thread</em> exits, and the runtime retires idle thread-pool threads: spawned from one of
/// those, gdb would be killed at random.
/// </summary>
internal static class SpawnThread
{
    private static readonly BlockingCollection<Action> Requests = [];

    static SpawnThread()
    {
        var thread = new Thread(Run) { IsBackground = true, Name = "profiler-spawn" };
        thread.Start();
    }

    public static T Run<T>(Func<T> spawn)
    {
        var result = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        Requests.Add(() =>
        {
            try
            {
                result.SetResult(spawn());
            }
            catch (Exception e)
            {
                result.SetException(e);
            }
        });
        return result.Task.GetAwaiter().GetResult();
    }

    private static void Run()
    {
        foreach (var request in Requests.GetConsumingEnumerable()) request();
    }
}
