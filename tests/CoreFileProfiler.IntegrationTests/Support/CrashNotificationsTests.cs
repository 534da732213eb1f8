namespace CoreFileProfiler.IntegrationTests.Support;

[CollectionDefinition(Name)]
public sealed class CrashNotificationsTests : ICollectionFixture<CrashNotificationsFixture>
{
    public const string Name = "crash notifications";
}
