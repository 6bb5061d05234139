using System.Text.Json.Serialization;

namespace ExpertRouter.Simulation;

[JsonSourceGenerationOptions(ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip, AllowTrailingCommas = true)]
[JsonSerializable(typeof(ChatCompletionRequest))]
[JsonSerializable(typeof(EmbeddingRequest))]
[JsonSerializable(typeof(ReplayLine))]
internal sealed partial class SimulatorJsonContext : JsonSerializerContext;
