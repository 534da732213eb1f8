using System.Reflection;

namespace CoreFileProfiler.IntegrationTests.Support;

/// <summary>Files of the repository the tests were built from.</summary>
public static class Repository
{
    public static string Root { get; } = typeof(Repository).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "RepositoryRoot").Value!;

    public static string PathOf(string relative) => System.IO.Path.Join(Root, relative);
}
