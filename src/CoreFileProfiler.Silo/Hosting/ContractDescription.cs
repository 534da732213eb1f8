using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace CoreFileProfiler.Silo.Hosting;

/// <summary>Names the document after the service and says where its contract is written down.</summary>
internal sealed class ContractDescription : IOpenApiDocumentTransformer
{
    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info.Title = "Core File Profiler";
        document.Info.Description = "A KubeDiag processor: core dumps and gdb in the browser for every node (docs/architecture.md, HTTP contract).";
        return Task.CompletedTask;
    }
}
