using CoreFileProfiler.Grains.Crashes;
using CoreFileProfiler.Silo.Hosting;
using CoreFileProfiler.Silo.Notifications;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace CoreFileProfiler.Tests.Notifications;

public sealed class CrashWebhooksRegistrationTests
{
    [Fact]
    public async Task The_reporter_finds_the_sender_among_its_observers_only_when_webhooks_are_configured()
    {
        await using var configured = Build("--Profiler:Webhooks=http://127.0.0.1:9/a, https://127.0.0.1:9/b");
        await using var unset = Build();

        var observer = Assert.Single(configured.Services.GetServices<ICrashObserver>());
        Assert.IsType<CrashWebhooks>(observer);
        Assert.Equal(["http://127.0.0.1:9/a", "https://127.0.0.1:9/b"], configured.Services.GetRequiredService<WebhookUrls>().Urls.Select(u => u.OriginalString));
        Assert.Empty(unset.Services.GetServices<ICrashObserver>());
    }

    private static WebApplication Build(params string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddProfilerServices();
        builder.Services.AddSingleton(TimeProvider.System); // the silo's, registered with the grains
        return builder.Build();
    }
}
