using CoreFileProfiler.Node.Cores;

namespace CoreFileProfiler.Grains;

internal static class CoreStoreExtensions
{
    /// <summary>The cores a coredump request means, with the store's refusals turned into user-facing errors.</summary>
    public static CoreTarget ResolveCores(this CoreStore store, SessionRequest request)
    {
        try
        {
            return request.FilePath is { } path
                ? store.ForPath(path)
                : store.ForPod(request.Namespace!, request.Pod!, request.Container);
        }
        catch (ArgumentException e)
        {
            throw ProfilerException.Invalid(e.Message);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw ProfilerException.NotFound(e.Message);
        }
    }
}
