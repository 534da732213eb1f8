using CoreFileProfiler.Node.Sandbox;
using Microsoft.Win32.SafeHandles;

namespace CoreFileProfiler.Node.Debugging;

/// <summary>Where a core's executable comes from, and how it is put in a sandboxed gdb's hand-over directory.</summary>
/// <param name="Shown">The executable's path as the user should read it (inside its container, when it is there).</param>
/// <param name="Source">Where it came from, in words; or why there is none.</param>
/// <param name="ContainerRoot">The running container's root, held open, whose libraries gdb gets too; null otherwise.</param>
/// <param name="Put">Copies or links it into a hand-over directory under a name; returns the new path.</param>
internal sealed record ExecutableSource(string? Shown, string Source, SafeFileHandle? ContainerRoot, Func<HandOverDirectory, string, string?>? Put) : IDisposable
{
    public static ExecutableSource None(string why) => new(null, why, null, null);

    public string? HandOver(HandOverDirectory handOver, string name) => Put?.Invoke(handOver, name);

    public void Dispose() => ContainerRoot?.Dispose();
}
