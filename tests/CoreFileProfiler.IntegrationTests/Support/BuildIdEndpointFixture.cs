namespace CoreFileProfiler.IntegrationTests.Support;

/// <summary>
/// One real silo listening on every address (so a caller from this machine's non-loopback address is a remote
/// client) with an admin token, and a store planted with real libraries as the collector keeps them: an unstripped
/// one (its DWARF served as debuginfo), a stripped one with its separate debug file, and a stripped one alone.
/// </summary>
public sealed class BuildIdEndpointFixture : IAsyncLifetime
{
    public const string AdminToken = "build-id-test-admin-token";

    private readonly TempDirectory _temp = new();

    public SiloProcess Silo { get; private set; } = null!;

    public string WorkDirectory => _temp.Path;

    /// <summary>Kept unstripped: its executable is also its debuginfo.</summary>
    public BuiltObject Unstripped { get; private set; } = null!;

    /// <summary>Kept stripped, with its separate debug file <see cref="StrippedDebug"/>.</summary>
    public BuiltObject Stripped { get; private set; } = null!;

    public BuiltObject StrippedDebug { get; private set; } = null!;

    /// <summary>Kept stripped, without any debug file: it has no debuginfo.</summary>
    public BuiltObject StrippedAlone { get; private set; } = null!;

    public string Url => $"http://127.0.0.1:{Silo.Port}/";

    public async Task InitializeAsync()
    {
        try
        {
            Silo = await SiloProcess.StartAsync(_temp.Path, "debuginfod-node", "0.0.0.0", [$"--Auth:AdminToken={AdminToken}"]);
            var built = Path.Join(_temp.Path, "built");
            Unstripped = await KeptObjectFiles.BuildLibraryAsync(built, "unstripped");
            var withDebug = await KeptObjectFiles.BuildLibraryAsync(built, "withdebug");
            Stripped = await KeptObjectFiles.StrippedAsync(withDebug);
            StrippedDebug = await KeptObjectFiles.DebugOnlyAsync(withDebug);
            StrippedAlone = await KeptObjectFiles.StrippedAsync(await KeptObjectFiles.BuildLibraryAsync(built, "alone"));
            KeptObjectFiles.Plant(Silo.CoreRoot, KeptObjectFiles.Executables, Unstripped);
            KeptObjectFiles.Plant(Silo.CoreRoot, KeptObjectFiles.Executables, Stripped);
            KeptObjectFiles.Plant(Silo.CoreRoot, KeptObjectFiles.DebugInfo, StrippedDebug);
            KeptObjectFiles.Plant(Silo.CoreRoot, KeptObjectFiles.Executables, StrippedAlone);
        }
        catch
        {
            await DisposeAsync(); // xunit does not dispose a fixture that failed to start
            throw;
        }
    }

    public async Task DisposeAsync()
    {
        if (Silo is not null) await Silo.DisposeAsync();
        _temp.Dispose();
    }

    /// <summary>A fresh cache directory for one debuginfod-find run, so nothing is answered from an earlier one.</summary>
    public string NewCache() => Directory.CreateDirectory(Path.Join(_temp.Path, "cache-" + Guid.NewGuid().ToString("N"))).FullName;
}
