namespace CoreFileProfiler.Store;

/// <summary>A component of a path in the core store is a symlink (or no directory where one must be): the walk does not go through it.</summary>
/// <param name="component">The component, relative to the directory the walk started from.</param>
public sealed class SymlinkInStoreException(string component, string what)
    : IOException($"{component} in the core store {what}; it is not followed.")
{
    public string Component { get; } = component;
}
