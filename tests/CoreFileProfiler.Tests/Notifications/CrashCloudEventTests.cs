using System.Text.Json;
using CsCheck;
using CoreFileProfiler.Silo.Notifications;
using CoreFileProfiler.Tests.Support;

namespace CoreFileProfiler.Tests.Notifications;

public sealed class CrashCloudEventTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 12, 0, 5, TimeSpan.Zero);

    [Fact]
    public void A_crash_is_a_structured_CloudEvent_1_0_with_the_groups_facts_and_nothing_more()
    {
        var (body, contentType) = CrashCloudEvent.Encode(new CrashNotice("node-a", SampleCrashGroups.Of("3f2a", 13), 12), Now);

        Assert.Equal("application/cloudevents+json", contentType.MediaType);
        var json = JsonDocument.Parse(body).RootElement;
        Assert.Equal("1.0", json.GetProperty("specversion").GetString());
        Assert.Equal("io.kubediag.corefile.crash", json.GetProperty("type").GetString());
        Assert.Equal("/nodes/node-a", json.GetProperty("source").GetString());
        Assert.Equal(Now, json.GetProperty("time").GetDateTimeOffset());
        Assert.Equal("application/json", json.GetProperty("datacontenttype").GetString());
        Assert.False(string.IsNullOrEmpty(json.GetProperty("id").GetString()));
        var data = json.GetProperty("data");
        Assert.Equal(
            ["node", "namespace", "pod", "container", "image", "signal", "signature", "summary", "count", "countSinceLastEvent"],
            data.EnumerateObject().Select(p => p.Name));
        Assert.Equal("node-a", data.GetProperty("node").GetString());
        Assert.Equal("default", data.GetProperty("namespace").GetString());
        Assert.Equal("app-7d9c-x2x", data.GetProperty("pod").GetString());
        Assert.Equal("app", data.GetProperty("container").GetString());
        Assert.Equal("localhost/app:1", data.GetProperty("image").GetString());
        Assert.Equal(11, data.GetProperty("signal").GetInt32());
        Assert.Equal("3f2a", data.GetProperty("signature").GetString());
        Assert.Equal("SIGSEGV in crash_here (crasher.c:7)", data.GetProperty("summary").GetString());
        Assert.Equal(13, data.GetProperty("count").GetInt64());
        Assert.Equal(12, data.GetProperty("countSinceLastEvent").GetInt64());
    }

    [Fact]
    public void Every_event_has_its_own_id_even_within_one_instant()
    {
        var notice = new CrashNotice("node-a", SampleCrashGroups.Of("3f2a", 1), 1);

        var ids = Enumerable.Range(0, 1000).Select(_ => JsonDocument.Parse(CrashCloudEvent.Encode(notice, Now).Body).RootElement.GetProperty("id").GetString()).ToHashSet();

        Assert.Equal(1000, ids.Count);
    }

    [Fact]
    public void Whatever_a_tenant_names_its_functions_and_files_the_summary_arrives_as_the_same_text()
    {
        // Any UTF-16, lone surrogates, quotes, control characters and markup included: a crash's names are the tenant's.
        Gen.String[Gen.Char, 0, 200].Sample(summary =>
        {
            var (body, _) = CrashCloudEvent.Encode(new CrashNotice("node-a", SampleCrashGroups.Of("3f2a", 1, summary: summary), 1), Now);
            var received = JsonDocument.Parse(body).RootElement.GetProperty("data").GetProperty("summary").GetString();
            return received == summary || (summary.Any(char.IsSurrogate) && received!.Length > 0 == summary.Length > 0);
        }, iter: 5000);
    }
}
