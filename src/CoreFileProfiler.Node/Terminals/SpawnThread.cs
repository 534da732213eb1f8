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
    private static readonly BlockingCollection<(Func<int> Spawn, TaskCompletionSource<int> Result)> Requests = [];

    static SpawnThread()
    {
        var thread = new Thread(Run) { IsBackground = true, Name = "profiler-spawn" };
        thread.Start();
    }

    public static int Run(Func<int> spawn)
    {
        var result = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        Requests.Add((spawn, result));
        return result.Task.GetAwaiter().GetResult();
    }

    private static void Run()
    {
        foreach (var (spawn, result) in Requests.GetConsumingEnumerable())
        {
            try
            {
                result.SetResult(spawn());
            }
            catch (Exception e)
            {
                result.SetException(e);
            }
        }
    }
}
