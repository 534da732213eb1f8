namespace CoreFileProfiler.IntegrationTests.Support;

[CollectionDefinition(Name)]
public sealed class LiveContainersTests : ICollectionFixture<LiveContainersFixture>
{
    public const string Name = "live containers";
}
