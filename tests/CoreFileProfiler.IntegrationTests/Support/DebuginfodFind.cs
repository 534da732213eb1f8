using System.Diagnostics;

namespace CoreFileProfiler.IntegrationTests.Support;

/// <summary>
/// Debian's real <c>debuginfod-find</c> (elfutils), pointed at one server by <c>DEBUGINFOD_URLS</c> with a cache
/// of its own, as a developer's gdb or eu-stack would fetch from the profiler.
/// </summary>
public static class DebuginfodFind
{
    /// <summary>Its exit code, the bytes it fetched (null when it failed) and what it printed.</summary>
    /// <param name="headersFile">A file of header lines it sends with every request (<c>DEBUGINFOD_HEADERS_FILE</c>), e.g. the admin token.</param>
    public static async Task<(int ExitCode, byte[]? Bytes, string Output)> FetchAsync(string serverUrl, string kind, string buildId, string cacheDirectory, string? headersFile = null)
    {
        var start = new ProcessStartInfo("debuginfod-find") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(kind);
        start.ArgumentList.Add(buildId);
        start.Environment["DEBUGINFOD_URLS"] = serverUrl;
        start.Environment["DEBUGINFOD_CACHE_PATH"] = cacheDirectory;
        start.Environment["DEBUGINFOD_TIMEOUT"] = "20";
        if (headersFile is not null) start.Environment["DEBUGINFOD_HEADERS_FILE"] = headersFile;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException)
        {
            process.Kill();
            throw;
        }

        var path = (await stdout).Trim();
        var output = $"{path}\n{await stderr}";
        return (process.ExitCode, process.ExitCode == 0 && File.Exists(path) ? await File.ReadAllBytesAsync(path) : null, output);
    }
}
