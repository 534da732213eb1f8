namespace CoreFileProfiler.IntegrationTests.Support;

[CollectionDefinition(Name)]
public sealed class PlainClusterTests : ICollectionFixture<PlainClusterFixture>
{
    public const string Name = "Two silos clustered through Redis, forwarding over plain HTTP";
}
