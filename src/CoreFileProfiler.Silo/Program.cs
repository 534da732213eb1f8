using CoreFileProfiler.Silo.Apis;
using CoreFileProfiler.Silo.Hosting;
using Serilog;

try
{
    // Content (wwwroot, appsettings) next to the binary, wherever the process is started from.
    var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });

    builder.AddProfilerLogging();
    builder.AddProfilerServices();
    builder.AddProfilerSilo();

    var app = builder.Build();

    app.UseSerilogRequestLogging(); // outermost, so it logs the status the client got, not the exception
    app.UseForwardingGuard();
    app.UseExceptionHandler();
    app.UseStatusCodePages();
    app.UseStaticFiles();
    app.UseWebSockets();

    app.MapProcessorApi();
    app.MapSessionsApi();
    app.MapTerminalsApi();
    app.MapWatchApi();
    app.MapClusterApi();
    app.MapClusterPage();
    app.MapBuildIdApi();
    app.MapHealthApi();
    app.MapOpenApi();                    // /openapi/v1.json
    app.MapPrometheusScrapingEndpoint(); // /metrics

    app.Run();
    return 0;
}
catch (StartupRefusedException refused)
{
    // A setting that cannot work: one line that names it, for whoever reads the pod's log.
    Console.Error.WriteLine($"core-file-profiler: refusing to start: {refused.Message}");
    return 1;
}
