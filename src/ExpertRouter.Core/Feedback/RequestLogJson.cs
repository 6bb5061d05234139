using System.Text.Json.Serialization;

namespace ExpertRouter.Core.Feedback;

/// <summary>
/// The log's JSON, source-generated (the natively compiled gateway has no reflection-based serializer): compact, and
/// without null members, so a line carries only what the record says.
/// </summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(RequestLogRecord))]
[JsonSerializable(typeof(ExplorationRecord))]
public sealed partial class RequestLogJson : JsonSerializerContext;
