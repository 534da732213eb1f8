namespace CoreFileProfiler.Silo.Hosting;

/// <summary>
/// A setting that cannot work (a missing certificate, a Redis that refuses the password). Its
/// message is the one line an operator reads: it names the setting and the file or endpoint.
/// </summary>
public sealed class StartupRefusedException(string setting, string problem) : Exception($"{setting}: {problem}")
{
    public string Setting { get; } = setting;
}
