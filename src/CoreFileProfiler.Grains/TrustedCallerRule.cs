namespace CoreFileProfiler.Grains;

/// <summary>The words of every refusal of a target wider than one pod, so they all say the same thing.</summary>
internal static class TrustedCallerRule
{
    public const string Needs =
        "needs the admin token ('Authorization: Bearer <Auth:AdminToken>') or a caller listed in Auth:ProcessorCallers";
}
