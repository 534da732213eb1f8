using System.Text;
using CoreFileProfiler.Silo.Processor;

namespace CoreFileProfiler.Tests.Processor;

public sealed class ProcessorRequestReaderTests
{
    private const string P = "param.diagnoser.runtime.core_file_profiler.";

    private static ProcessorCall Parse(string json, int max = 86400) => ProcessorRequestReader.Parse(Encoding.UTF8.GetBytes(json), max);

    private static ProfilerException Refusal(string json) => Assert.Throws<ProfilerException>(() => Parse(json));

    [Fact]
    public void Reads_the_agents_body_and_ignores_what_it_does_not_use()
    {
        var call = Parse($$"""
            {"{{P}}expiration_seconds":"200","{{P}}type":"coredump","pod.namespace":"default","pod.name":"web-1",
             "container":"app","node":"worker-2","task.namespace":"kubediag","task.name":"t","task.uid":"u","extra":"x"}
            """);

        Assert.Equal(new SessionRequest(SessionType.Coredump, 200, null, 0, "default", "web-1", "app"), call.Request);
        Assert.Equal("worker-2", call.Node);
    }

    [Fact]
    public void Accepts_numbers_for_hand_written_calls_and_treats_empty_strings_as_absent()
    {
        var call = Parse($$"""{"{{P}}expiration_seconds":60,"{{P}}type":"GCORE","{{P}}pid":"4242","{{P}}filepath":"","container":""}""");

        Assert.Equal(new SessionRequest(SessionType.Gcore, 60, null, 4242, null, null, null), call.Request);
        Assert.Null(call.Node);
    }

    [Theory]
    [InlineData("", "body is empty")]
    [InlineData("not json", "not valid JSON")]
    [InlineData("[1,2]", "JSON object")]
    [InlineData("\"x\"", "JSON object")]
    [InlineData($$"""{"{{P}}type":"coredump","pod.namespace":"d","pod.name":"p"}""", P + "expiration_seconds is required")]
    [InlineData($$"""{"{{P}}expiration_seconds":"ten","{{P}}type":"coredump","pod.namespace":"d","pod.name":"p"}""", P + "expiration_seconds must be a whole number")]
    [InlineData($$"""{"{{P}}expiration_seconds":"1.5","{{P}}type":"coredump","pod.namespace":"d","pod.name":"p"}""", P + "expiration_seconds must be a whole number")]
    [InlineData($$"""{"{{P}}expiration_seconds":"-1","{{P}}type":"coredump","pod.namespace":"d","pod.name":"p"}""", P + "expiration_seconds must be between 1 and 86400")]
    [InlineData($$"""{"{{P}}expiration_seconds":"0","{{P}}type":"coredump","pod.namespace":"d","pod.name":"p"}""", P + "expiration_seconds must be between 1 and 86400")]
    [InlineData($$"""{"{{P}}expiration_seconds":"86401","{{P}}type":"coredump","pod.namespace":"d","pod.name":"p"}""", "Profiler:MaxExpirationSeconds")]
    [InlineData($$"""{"{{P}}expiration_seconds":"99999999999999999999999","{{P}}type":"coredump","pod.namespace":"d","pod.name":"p"}""", P + "expiration_seconds must be between")]
    [InlineData($$"""{"{{P}}expiration_seconds":{"a":1},"{{P}}type":"coredump"}""", P + "expiration_seconds must be a string")]
    [InlineData($$"""{"{{P}}expiration_seconds":"10","pod.namespace":"d","pod.name":"p"}""", P + "type is required")]
    [InlineData($$"""{"{{P}}expiration_seconds":"10","{{P}}type":"perf","pod.namespace":"d","pod.name":"p"}""", P + "type must be 'coredump' or 'gcore', not 'perf'")]
    [InlineData($$"""{"{{P}}expiration_seconds":"10","{{P}}type":"coredump","pod.namespace":"d"}""", "pod.namespace and pod.name are required")]
    [InlineData($$"""{"{{P}}expiration_seconds":"10","{{P}}type":"gcore"}""", "pod.namespace and pod.name are required for type 'gcore' without " + P + "pid")]
    [InlineData($$"""{"{{P}}expiration_seconds":"10","{{P}}type":"gcore","{{P}}pid":"-3"}""", P + "pid must be between 0")]
    [InlineData($$"""{"{{P}}expiration_seconds":"10","{{P}}type":"coredump","pod.namespace":"d","pod.name":"p","node":"a/b"}""", "node 'a/b' is not a valid node name")]
    public void Refuses_bad_input_naming_the_problem(string json, string expected)
    {
        var refusal = Refusal(json);

        Assert.Equal(ProfilerError.InvalidParameter, refusal.Error);
        Assert.Contains(expected, refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Honours_a_lower_configured_maximum()
    {
        var refusal = Assert.Throws<ProfilerException>(() =>
            Parse($$"""{"{{P}}expiration_seconds":"601","{{P}}type":"coredump","pod.namespace":"d","pod.name":"p"}""", max: 600));

        Assert.Contains("between 1 and 600", refusal.Message, StringComparison.Ordinal);
    }
}
