using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace CoreFileProfiler.IntegrationTests.Support;

/// <summary>A real ELF file built here, with its GNU build-id and SHA-256.</summary>
public sealed record BuiltObject(string Path, string BuildId, string Sha256)
{
    public byte[] Bytes => File.ReadAllBytes(Path);
}

/// <summary>
/// Real shared libraries built with <c>gcc -g</c> (each with a build-id of its own), their stripped and
/// debug-only twins (<c>objcopy</c>), planted in a core store as the collector keeps them:
/// <c>.executables/&lt;build-id&gt;-&lt;sha256&gt;</c> and <c>.debuginfo/…</c>, mode 0600 in 0700 folders.
/// </summary>
public static partial class KeptObjectFiles
{
    public const string Executables = ".executables";
    public const string DebugInfo = ".debuginfo";

    /// <summary>A library with a function of its own, unstripped (it carries its DWARF); with <paramref name="claimedBuildId"/>, a forgery linked to claim another's build-id.</summary>
    public static async Task<BuiltObject> BuildLibraryAsync(string directory, string name, string? claimedBuildId = null)
    {
        Directory.CreateDirectory(directory);
        // The name and a random constant make the build-id this library's own.
        var source = Path.Join(directory, $"{name}.c");
        await File.WriteAllTextAsync(source, $$"""
            int {{name}}_answer(int x) { return x * {{Random.Shared.Next(2, 1 << 30)}}; }
            const char {{name}}_tag[] = "{{Guid.NewGuid():N}}";
            """);
        var library = Path.Join(directory, $"lib{name}.so");
        await RunAsync("gcc", ["-g", "-O0", "-shared", "-fPIC", claimedBuildId is null ? "-Wl,--build-id" : $"-Wl,--build-id=0x{claimedBuildId}", "-o", library, source]);
        return await DescribeAsync(library);
    }

    /// <summary>The same object without its DWARF (what a distribution ships), same build-id.</summary>
    public static async Task<BuiltObject> StrippedAsync(BuiltObject built)
    {
        var stripped = built.Path + ".stripped";
        await RunAsync("objcopy", ["--strip-debug", built.Path, stripped]);
        return await DescribeAsync(stripped);
    }

    /// <summary>Its separate debug file (what <c>/usr/lib/debug/.build-id/…</c> holds), same build-id.</summary>
    public static async Task<BuiltObject> DebugOnlyAsync(BuiltObject built)
    {
        var debug = built.Path + ".debug";
        await RunAsync("objcopy", ["--only-keep-debug", built.Path, debug]);
        return await DescribeAsync(debug);
    }

    /// <summary>Copies it into <paramref name="coreRoot"/>'s <paramref name="folder"/> under its content's name, as the collector does.</summary>
    public static string Plant(string coreRoot, string folder, BuiltObject built)
    {
        var directory = Directory.CreateDirectory(Path.Join(coreRoot, folder), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute).FullName;
        var copy = Path.Join(directory, $"{built.BuildId}-{built.Sha256}");
        File.Copy(built.Path, copy, overwrite: true);
        File.SetUnixFileMode(copy, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return copy;
    }

    public static async Task<BuiltObject> DescribeAsync(string path)
    {
        var (_, notes) = await Command.RunAsync("readelf", ["-n", path]);
        var buildId = BuildIdLine().Match(notes) is { Success: true } match ? match.Groups[1].Value : throw new InvalidOperationException($"{path} has no build-id:\n{notes}");
        return new BuiltObject(path, buildId, Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path))));
    }

    public static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    private static async Task RunAsync(string program, string[] arguments)
    {
        var (code, output) = await Command.RunAsync(program, arguments);
        if (code != 0) throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} failed ({code}):\n{output}");
    }

    [GeneratedRegex(@"Build ID: ([0-9a-f]+)")]
    private static partial Regex BuildIdLine();
}
