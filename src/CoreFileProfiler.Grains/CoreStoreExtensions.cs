using CoreFileProfiler.Node.Cores;

namespace CoreFileProfiler.Grains;

internal static class CoreStoreExtensions
{
    /// <summary>
    /// The cores a coredump request means, with the store's refusals turned into user-facing errors.
    /// A caller the gateway does not trust gets one pod's cores at most (docs/architecture.md, Trust model), checked on every
    /// resolve, so a directory swapped for a link later cannot widen a session either.
    /// </summary>
    public static CoreTarget ResolveCores(this CoreStore store, SessionRequest request)
    {
        CoreTarget target;
        try
        {
            target = request.FilePath is { } path
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

        return request.TrustedCaller || target.IsWithinOnePod
            ? target
            : throw ProfilerException.Forbidden(
                $"filepath '{request.FilePath}' is not inside one pod's directory ({store.KubernetesRoot}/<namespace>/<pod>/); " +
                $"a wider target {TrustedCallerRule.Needs}.");
    }
}
