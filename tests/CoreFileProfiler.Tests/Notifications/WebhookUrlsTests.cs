using CoreFileProfiler.Silo.Hosting;
using CoreFileProfiler.Silo.Notifications;

namespace CoreFileProfiler.Tests.Notifications;

public sealed class WebhookUrlsTests
{
    [Fact]
    public void Absolute_http_and_https_urls_are_taken() =>
        Assert.Equal(["http://127.0.0.1:8080/hook", "https://events.example/in?token=x"],
            WebhookUrls.Parse(["http://127.0.0.1:8080/hook", "https://events.example/in?token=x"]).Urls.Select(u => u.OriginalString));

    [Theory]
    [InlineData("file:///etc/shadow")]
    [InlineData("unix:///var/run/docker.sock")]
    [InlineData("ftp://example/")]
    [InlineData("/hook")]
    [InlineData("events.example/hook")]
    [InlineData("gopher://127.0.0.1:6379/_FLUSHALL")]
    public void Anything_else_refuses_the_start_naming_the_setting(string entry)
    {
        var refused = Assert.Throws<StartupRefusedException>(() => WebhookUrls.Parse(["http://127.0.0.1:8080/hook", entry]));

        Assert.Equal("Profiler:Webhooks", refused.Setting);
        Assert.Contains($"'{entry}' is not an absolute http or https URL", refused.Message, StringComparison.Ordinal);
    }
}
