using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using CoreFileProfiler.IntegrationTests.Support;

namespace CoreFileProfiler.IntegrationTests;

/// <summary>
/// Who may open what through the processor (docs/architecture.md, Trust model), on a real silo with an admin token (so loopback
/// is no admin) that trusts the callers of 127.0.0.2 (<c>Auth:ProcessorCallers</c>).
/// </summary>
public sealed class ProcessorTrustTests : IAsyncLifetime
{
    private const string Token = "trust-test-admin-token";
    private const string Pod = "trust-pod";
    private static readonly IPAddress ListedCaller = IPAddress.Parse("127.0.0.2");

    private readonly TempDirectory _temp = new();
    private SiloProcess _silo = null!;

    public async Task InitializeAsync()
    {
        _silo = await SiloProcess.StartAsync(_temp.Path, $"--Auth:AdminToken={Token}", $"--Auth:ProcessorCallers=10.99.0.0/16, {ListedCaller}/32");
        var podCore = Path.Join(_silo.CoreRoot, "kubernetes", SiloFixture.Namespace, Pod, "app", "7_20261127-120000");
        Directory.CreateDirectory(Path.GetDirectoryName(podCore)!);
        await File.WriteAllTextAsync(podCore, "a pod's core");
        await File.WriteAllTextAsync(NodeCore, "a crash outside any container");
    }

    public async Task DisposeAsync()
    {
        if (_silo is not null) await _silo.DisposeAsync();
        _temp.Dispose();
    }

    private string NodeCore => Path.Join(_silo.CoreRoot, "8_20261127-120000");

    /// <summary>The wide targets: the whole store, a node-level core, and a host process (the silo itself, in no container).</summary>
    private Dictionary<string, string>[] WideRequests() =>
    [
        FilePath(_silo.CoreRoot),
        FilePath(NodeCore),
        new()
        {
            [SiloFixture.Parameter + "expiration_seconds"] = "60",
            [SiloFixture.Parameter + "type"] = "gcore",
            [SiloFixture.Parameter + "pid"] = _silo.Pid.ToString(CultureInfo.InvariantCulture),
        },
    ];

    [Fact]
    public async Task A_tokenless_caller_opens_one_pod_and_gets_a_403_saying_what_a_wider_target_needs()
    {
        using (var pod = await SiloFixture.PostProcessorAsync(SiloFixture.CoredumpRequest(Pod, "app"), _silo.Http))
        {
            Assert.Equal(HttpStatusCode.OK, pod.StatusCode);
        }

        foreach (var request in WideRequests())
        {
            using var refused = await SiloFixture.PostProcessorAsync(request, _silo.Http);

            var detail = await DetailAsync(refused);
            Assert.True(refused.StatusCode == HttpStatusCode.Forbidden, $"{JsonSerializer.Serialize(request)} → {(int)refused.StatusCode} {detail}");
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            Assert.Contains("Authorization: Bearer <Auth:AdminToken>", detail, StringComparison.Ordinal);
            Assert.Contains("Auth:ProcessorCallers", detail, StringComparison.Ordinal);
        }

        using var wrongToken = await PostAsync(_silo.Http, WideRequests()[0], "not-the-token");
        Assert.Equal(HttpStatusCode.Forbidden, wrongToken.StatusCode);
    }

    [Fact]
    public async Task The_admin_token_or_a_caller_in_ProcessorCallers_opens_wider_targets()
    {
        using var listed = LoopbackClient.Create($"http://127.0.0.1:{_silo.Port}", from: ListedCaller);
        foreach (var request in WideRequests())
        {
            using var withToken = await PostAsync(_silo.Http, request, Token);
            using var fromListedCaller = await SiloFixture.PostProcessorAsync(request, listed);

            Assert.True(withToken.StatusCode == HttpStatusCode.OK, $"with the token: {(int)withToken.StatusCode} {await DetailAsync(withToken)}");
            Assert.True(fromListedCaller.StatusCode == HttpStatusCode.OK, $"from {ListedCaller}: {(int)fromListedCaller.StatusCode} {await DetailAsync(fromListedCaller)}");
        }

        // The session of the whole store lists the node's own core.
        using var store = await PostAsync(_silo.Http, WideRequests()[0], Token);
        var session = new Uri((await store.Content.ReadFromJsonAsync<Dictionary<string, string>>())![SiloFixture.ResultKey]).AbsolutePath;
        var files = (await _silo.Http.GetFromJsonAsync<JsonElement>(session + "api")).GetProperty("files").EnumerateArray();
        Assert.Contains(files, f => f.GetProperty("path").GetString() == "8_20261127-120000");
    }

    private static Dictionary<string, string> FilePath(string path) => new()
    {
        [SiloFixture.Parameter + "expiration_seconds"] = "60",
        [SiloFixture.Parameter + "type"] = "coredump",
        [SiloFixture.Parameter + "filepath"] = path,
    };

    private static async Task<HttpResponseMessage> PostAsync(HttpClient http, Dictionary<string, string> body, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/processor/coreFileProfiler") { Content = JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await http.SendAsync(request);
    }

    private static async Task<string> DetailAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return response.Content.Headers.ContentType?.MediaType == "application/problem+json"
            ? JsonDocument.Parse(text).RootElement.GetProperty("detail").GetString()!
            : text;
    }
}
