namespace CoreFileProfiler.Grains.Crashes;

/// <summary>
/// Told of every crash once its report is filed and grouped (docs/architecture.md, Crash reports):
/// the webhooks' sender is one. Called on the reporting path, so it must return at once.
/// </summary>
public interface ICrashObserver
{
    /// <param name="node">The node the crash happened on.</param>
    /// <param name="group">The group after counting this crash (its <see cref="CrashGroup.Count"/> includes it).</param>
    /// <param name="newGroup">This crash started the group.</param>
    void CrashFiled(string node, CrashGroup group, bool newGroup);
}
