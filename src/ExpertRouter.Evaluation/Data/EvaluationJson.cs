using System.Text.Json.Serialization;

namespace ExpertRouter.Evaluation.Data;

/// <summary>
/// The JSON the harness reads and writes, source-generated with the serializer's defaults: the natively compiled
/// gateway carries this assembly (through the router's trainer) and has no reflection-based JSON.
/// </summary>
[JsonSerializable(typeof(ExpertPool))]
[JsonSerializable(typeof(Dictionary<string, ModelPrice>))]
[JsonSerializable(typeof(RoutingRecord))]
[JsonSerializable(typeof(string[]))]
internal sealed partial class EvaluationJson : JsonSerializerContext;
