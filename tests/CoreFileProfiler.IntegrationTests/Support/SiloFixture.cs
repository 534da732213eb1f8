using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;

namespace CoreFileProfiler.IntegrationTests.Support;

/// <summary>One real silo for the test collection, with a real crasher's cores filed under a pod.</summary>
public class SiloFixture : IAsyncLifetime
{
    public const string Namespace = "default";
    public const string Pod = "crash-pod";
    public const string Parameter = "param.diagnoser.runtime.core_file_profiler.";
    public const string ResultKey = "diagnoser.runtime.core_file_profiler.result.endpoint";

    private readonly TempDirectory _temp = new();
    private readonly string[] _settings;

    public SiloFixture() : this([]) { }

    /// <param name="settings">Command-line settings of this fixture's silo beyond the defaults.</param>
    protected SiloFixture(string[] settings) => _settings = settings;

    public SiloProcess Silo { get; private set; } = null!;

    public string Crasher { get; private set; } = null!;

    public string WorkDirectory => _temp.Path;

    public async Task InitializeAsync()
    {
        try
        {
            // The crasher and its source where a sandboxed gdb may read them (Profiler:Sandbox:SourceRoots).
            File.SetUnixFileMode(_temp.Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
            var sources = Directory.CreateDirectory(Path.Join(_temp.Path, "src")).FullName;
            Silo = await SiloProcess.StartAsync(_temp.Path, [$"--Profiler:Sandbox:SourceRoots:0={sources}", .. _settings]);
            Crasher = await CrashingProgram.BuildAsync(sources);
        }
        catch
        {
            await DisposeAsync(); // xunit does not dispose a fixture that failed to start
            throw;
        }
    }

    public virtual async Task DisposeAsync()
    {
        if (Silo is not null) await Silo.DisposeAsync();
        _temp.Dispose();
    }

    /// <summary>Crashes the program for real and files its core as the collector would.</summary>
    public Task<string> CrashIntoAsync(string pod, string container) =>
        CrashingProgram.CrashIntoStoreAsync(Crasher, _temp.Path, Silo.CoreRoot, Namespace, pod, container);

    /// <summary>POSTs a processor body as the KubeDiag agent does: JSON with no Content-Type header.</summary>
    public static async Task<HttpResponseMessage> PostProcessorAsync(IDictionary<string, string> body, HttpClient http)
    {
        var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body));
        content.Headers.ContentType = null;
        return await http.PostAsync("/processor/coreFileProfiler", content);
    }

    public static Dictionary<string, string> CoredumpRequest(string? pod = Pod, string? container = null, int seconds = 300)
    {
        var body = new Dictionary<string, string>
        {
            [Parameter + "expiration_seconds"] = seconds.ToString(CultureInfo.InvariantCulture),
            [Parameter + "type"] = "coredump",
            ["task.namespace"] = "kubediag",
            ["task.name"] = "diagnosis-1",
            ["task.uid"] = Guid.NewGuid().ToString(),
        };
        if (pod is not null)
        {
            body["pod.namespace"] = Namespace;
            body["pod.name"] = pod;
        }

        if (container is not null) body["container"] = container;
        return body;
    }

    /// <summary>Crashes, files the core under a pod of its own and opens a session on it: (session path, core file name).</summary>
    public async Task<(string Session, string File)> CrashAndOpenAsync(string pod, int seconds = 300)
    {
        var core = await CrashIntoAsync(pod, "app");
        return (await OpenSessionAsync(CoredumpRequest(pod, "app", seconds)), "app/" + Path.GetFileName(core));
    }

    /// <summary>POSTs a terminal for <paramref name="file"/>: its id, page URL and WebSocket URL.</summary>
    public static async Task<(string Id, string Url, string Ws)> OpenTerminalAsync(HttpClient http, string session, string file)
    {
        var body = await OpenTerminalBodyAsync(http, session, file);
        return (body.GetProperty("id").GetString()!, body.GetProperty("url").GetString()!, body.GetProperty("ws").GetString()!);
    }

    /// <summary>POSTs a terminal for <paramref name="file"/>: the whole 201 body (id, url, ws, watch, watchWs).</summary>
    public static async Task<JsonElement> OpenTerminalBodyAsync(HttpClient http, string session, string file)
    {
        using var response = await http.PostAsJsonAsync(session + "terminals", new { file });
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Created, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>Opens a session and returns its path on the gateway ("/sessions/&lt;id&gt;/").</summary>
    public Task<string> OpenSessionAsync(Dictionary<string, string> body) => OpenSessionAsync(Silo, body);

    public Task<HttpResponseMessage> PostProcessorAsync(IDictionary<string, string> body) => PostProcessorAsync(body, Silo.Http);

    public static Task<string> OpenSessionAsync(SiloProcess silo, Dictionary<string, string> body) => OpenSessionAsync(silo.Http, body);

    public static async Task<string> OpenSessionAsync(HttpClient gateway, Dictionary<string, string> body)
    {
        using var response = await PostProcessorAsync(body, gateway);
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        var result = await response.Content.ReadFromJsonAsync<Dictionary<string, string>>();
        return new Uri(result![ResultKey]).AbsolutePath;
    }
}
