using CoreFileProfiler.Silo.Apis;
using CoreFileProfiler.Silo.Hosting;
using Serilog;

var builder = WebApplication.CreateBuilder(args);

builder.AddProfilerLogging();
builder.AddProfilerServices();
builder.AddProfilerSilo();

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseSerilogRequestLogging();
app.UseStaticFiles();

app.MapProcessorApi();
app.MapSessionsApi();
app.MapHealthApi();

app.Run();
