namespace CoreFileProfiler.IntegrationTests.Support;

[CollectionDefinition(Name)]
public sealed class ClusterTests : ICollectionFixture<ClusterFixture>
{
    public const string Name = "Three silos clustered through Redis";
}
