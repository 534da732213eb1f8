using System.Text.Json;
using System.Text.Json.Serialization;

namespace CoreFileProfiler.Grains.Crashes;

/// <summary>Crash reports and groups as the store keeps them: the web's camelCase, as the HTTP API shows them.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(CrashReport))]
[JsonSerializable(typeof(SavedCrashGroup))]
internal sealed partial class CrashJson : JsonSerializerContext;
