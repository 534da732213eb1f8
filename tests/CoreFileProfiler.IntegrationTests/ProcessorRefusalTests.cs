using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CoreFileProfiler.IntegrationTests.Support;

namespace CoreFileProfiler.IntegrationTests;

[Collection(SiloTests.Name)]
public sealed class ProcessorRefusalTests(SiloFixture fixture)
{
    private const string P = SiloFixture.Parameter;

    [Theory]
    [InlineData("GET")]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    public async Task Other_methods_are_405_with_allow_post(string method)
    {
        using var response = await fixture.Silo.Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), "/processor/coreFileProfiler"));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal(["POST"], response.Content.Headers.Allow);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    private static (string Body, int Status, string Detail)[] BadBodies(string escapeTarget) =>
    [
        ("this is not json", 400, "not valid JSON"),
        ("[\"a\"]", 400, "JSON object"),
        (Json(("type", "coredump"), ("pod.namespace", "default"), ("pod.name", "p")), 400, P + "expiration_seconds is required"),
        (Json(("expiration_seconds", "soon"), ("type", "coredump"), ("pod.namespace", "default"), ("pod.name", "p")), 400, P + "expiration_seconds must be a whole number"),
        (Json(("expiration_seconds", "-10"), ("type", "coredump"), ("pod.namespace", "default"), ("pod.name", "p")), 400, P + "expiration_seconds must be between 1 and 86400"),
        (Json(("expiration_seconds", "86401"), ("type", "coredump"), ("pod.namespace", "default"), ("pod.name", "p")), 400, P + "expiration_seconds must be between 1 and 86400"),
        (Json(("expiration_seconds", "60"), ("type", "perf"), ("pod.namespace", "default"), ("pod.name", "p")), 400, P + "type must be 'coredump' or 'gcore'"),
        (Json(("expiration_seconds", "60"), ("type", "coredump")), 400, "pod.namespace and pod.name are required"),
        (Json(("expiration_seconds", "60"), ("type", "coredump"), ("pod.namespace", "default"), ("pod.name", "no-such-pod")), 404, "No cores of pod default/no-such-pod"),
        (Json(("expiration_seconds", "60"), ("type", "coredump"), ("pod.namespace", "default"), ("pod.name", "crash-pod"), ("container", "nope")), 404, "container nope"),
        (Json(("expiration_seconds", "60"), ("type", "coredump"), ("filepath", "/etc/passwd")), 400, "filepath '/etc/passwd' is outside the allowed paths"),
        (Json(("expiration_seconds", "60"), ("type", "coredump"), ("filepath", escapeTarget + "/../../etc")), 400, "is outside the allowed paths"),
        (Json(("expiration_seconds", "60"), ("type", "coredump"), ("filepath", escapeTarget + "/link-to-etc/passwd")), 400, "resolves to '/etc/passwd'"),
        (Json(("expiration_seconds", "60"), ("type", "coredump"), ("filepath", escapeTarget + "/kubernetes/nothing-here")), 404, "does not exist"),
        (Json(("expiration_seconds", "60"), ("type", "coredump"), ("pod.namespace", "../../etc"), ("pod.name", "p")), 400, "pod.namespace '../../etc' is not a valid namespace name"),
        (Json(("expiration_seconds", "60"), ("type", "coredump"), ("pod.namespace", "default"), ("pod.name", "p"), ("node", "elsewhere")), 503, "Node 'elsewhere' is unavailable"),
    ];

    [Fact]
    public async Task Bad_requests_get_a_clear_4xx_or_503_naming_the_problem_and_never_a_500()
    {
        await fixture.CrashIntoAsync(SiloFixture.Pod, "app");
        var coreRoot = fixture.Silo.CoreRoot;
        var link = Path.Join(coreRoot, "link-to-etc");
        if (!Path.Exists(link)) File.CreateSymbolicLink(link, "/etc");

        foreach (var (body, status, detail) in BadBodies(coreRoot))
        {
            using var response = await fixture.Silo.Http.PostAsync("/processor/coreFileProfiler", new StringContent(body, Encoding.UTF8));

            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(status == (int)response.StatusCode, $"{body} → {(int)response.StatusCode} {problem}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Contains(detail, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task An_oversized_body_is_refused_with_413()
    {
        var huge = Json(("expiration_seconds", "60"), ("type", "coredump"), ("pad", new string('x', 5 << 20)));

        using var response = await fixture.Silo.Http.PostAsync("/processor/coreFileProfiler", new StringContent(huge));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    private static string Json(params (string Key, string Value)[] pairs) =>
        JsonSerializer.Serialize(pairs.ToDictionary(
            p => p.Key is "expiration_seconds" or "type" or "filepath" or "pid" ? P + p.Key : p.Key,
            p => p.Value));
}
