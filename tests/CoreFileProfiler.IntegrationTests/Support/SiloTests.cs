namespace CoreFileProfiler.IntegrationTests.Support;

[CollectionDefinition(Name)]
public sealed class SiloTests : ICollectionFixture<SiloFixture>
{
    public const string Name = "silo";
}
