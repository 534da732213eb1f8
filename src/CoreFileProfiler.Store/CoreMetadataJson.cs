using System.Text.Json;
using System.Text.Json.Serialization;

namespace CoreFileProfiler.Store;

/// <summary>Source-generated, so the NativeAOT collector writes exactly what the silo reads.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(CoreMetadata))]
public sealed partial class CoreMetadataJson : JsonSerializerContext;
