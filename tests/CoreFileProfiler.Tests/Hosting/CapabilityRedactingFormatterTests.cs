using System.Text.Json;
using CoreFileProfiler.Silo.Hosting;
using Serilog.Events;
using Serilog.Formatting.Compact;
using Serilog.Parsing;

namespace CoreFileProfiler.Tests.Hosting;

public sealed class CapabilityRedactingFormatterTests
{
    private static readonly string Session = SessionId.Create("node-b", DateTimeOffset.UtcNow);
    private const string Terminal = "YGle7FoneY1e";

    private static string Redacted(string capability) => $"<redacted:{CapabilityHash.Of(capability)}>";

    [Theory]
    [InlineData("GET /sessions/{s}/terminals/{t}/ws", "GET /sessions/{S}/terminals/{T}/ws")]
    [InlineData("/sessions/{s}/", "/sessions/{S}/")]
    [InlineData("POST /sessions/{s}/terminals responded 201", "POST /sessions/{S}/terminals responded 201")]
    [InlineData("DELETE /api/sessions/{s}", "DELETE /api/sessions/{S}")]
    [InlineData("\"RequestPath\":\"/SESSIONS/{s}/api\"", "\"RequestPath\":\"/SESSIONS/{S}/api\"")]
    [InlineData("http://127.0.0.1:8090/sessions/{s}/files/app/1_2026?x=1", "http://127.0.0.1:8090/sessions/{S}/files/app/1_2026?x=1")]
    [InlineData("Request starting \"GET\" \"/watch/{s}/ws\"", "Request starting \"GET\" \"/watch/{S}/ws\"")] // a watch id is a capability too
    [InlineData("GET /sessions//{s}/api responded 404", "GET /sessions//{S}/api responded 404")]
    public void A_capability_in_a_path_becomes_its_hash(string line, string expected) =>
        Assert.Equal(
            expected.Replace("{S}", Redacted(Session)).Replace("{T}", Redacted(Terminal)),
            CapabilityRedactingFormatter.Redact(line.Replace("{s}", Session).Replace("{t}", Terminal)));

    [Fact]
    public void A_session_grain_named_by_orleans_becomes_its_hash()
    {
        var grain = GrainId.Create(CoreFileProfiler.Grains.DebugSessionGrain.TypeName, SessionId.GrainKey("node-b", Session));
        var message = $"Forwarding failed: tried to forward message Request [S127.0.0.1:11111:1]->[S127.0.0.1:11112:2 {grain}] IDebugSessionGrain.Describe()";

        var redacted = CapabilityRedactingFormatter.Redact(message);

        Assert.DoesNotContain(Session, redacted, StringComparison.Ordinal);
        Assert.Contains($"debugsession/node-b/{Redacted(Session)}] IDebugSessionGrain.Describe()", redacted, StringComparison.Ordinal);
    }

    [Fact]
    public void Lines_without_capabilities_are_written_as_they_are()
    {
        const string line = "HTTP POST /processor/coreFileProfiler responded 200; nodeprofiler/node-b; /var/lib/kubediag/corefile/kubernetes/default/web-1";

        Assert.Same(line, CapabilityRedactingFormatter.Redact(line));
    }

    [Fact]
    public void A_json_log_line_stays_valid_json_with_the_path_property_redacted()
    {
        var path = $"/sessions/{Session}/terminals/{Terminal}/ws";
        var logEvent = new LogEvent(
            DateTimeOffset.UtcNow, LogEventLevel.Information, null,
            new MessageTemplateParser().Parse("HTTP {RequestMethod} {RequestPath} responded {StatusCode}"),
            [new("RequestMethod", new ScalarValue("GET")), new("RequestPath", new ScalarValue(path)), new("StatusCode", new ScalarValue(101))]);
        using var output = new StringWriter();

        new CapabilityRedactingFormatter(new RenderedCompactJsonFormatter()).Format(logEvent, output);

        var json = JsonDocument.Parse(output.ToString()).RootElement;
        var expected = $"/sessions/{Redacted(Session)}/terminals/{Redacted(Terminal)}/ws";
        Assert.Equal(expected, json.GetProperty("RequestPath").GetString());
        Assert.Equal($"HTTP \"GET\" \"{expected}\" responded 101", json.GetProperty("@m").GetString());
    }

    [Fact]
    public void The_hash_is_twelve_hex_digits_of_sha256_and_differs_between_sessions()
    {
        Assert.Matches("^[0-9a-f]{12}$", CapabilityHash.Of(Session));
        Assert.Equal(CapabilityHash.Of(Session), CapabilityHash.Of(Session));
        Assert.NotEqual(CapabilityHash.Of(Session), CapabilityHash.Of(SessionId.Create("node-b", DateTimeOffset.UtcNow)));
    }
}
