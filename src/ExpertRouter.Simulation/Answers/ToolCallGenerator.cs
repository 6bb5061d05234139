using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace ExpertRouter.Simulation;

/// <summary>
/// Answers with a call of one tool whose JSON arguments fill every required property of the tool's JSON schema with a
/// deterministic value of the declared type (an enum's member, a word, a number, a boolean, a one-item array, a
/// nested object).
/// </summary>
internal static class ToolCallGenerator
{
    private const int MaxDepth = 8;

    public static SimulatedAnswer Generate(ulong requestHash, string toolName, JsonElement parameters, int? maxTokens)
    {
        var random = new SplitMix64(requestHash);
        var arguments = InstanceOf(parameters, ref random);
        var id = string.Create(CultureInfo.InvariantCulture, $"call_{requestHash:x16}{random.Next() & 0xFFFFFFFF:x8}");
        var pieces = SimulatedAnswer.Slice(arguments);
        return SimulatedAnswer.Create(pieces, pieces.Length, maxTokens, new SimulatedToolCall(id, toolName));
    }

    /// <summary>A JSON object that satisfies the required properties of <paramref name="schema"/>.</summary>
    public static string InstanceOf(JsonElement schema, ref SplitMix64 random)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            WriteObject(json, schema, ref random, 0);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void WriteObject(Utf8JsonWriter json, JsonElement schema, ref SplitMix64 random, int depth)
    {
        json.WriteStartObject();
        if (schema.ValueKind == JsonValueKind.Object
            && schema.TryGetProperty("required", out var required) && required.ValueKind == JsonValueKind.Array
            && schema.TryGetProperty("properties", out var properties) && properties.ValueKind == JsonValueKind.Object)
        {
            foreach (var name in required.EnumerateArray())
            {
                if (name.GetString() is { } property)
                {
                    json.WritePropertyName(property);
                    var propertySchema = properties.TryGetProperty(property, out var s) ? s : default;
                    WriteValue(json, propertySchema, ref random, depth + 1);
                }
            }
        }

        json.WriteEndObject();
    }

    private static void WriteValue(Utf8JsonWriter json, JsonElement schema, ref SplitMix64 random, int depth)
    {
        if (schema.ValueKind != JsonValueKind.Object || depth > MaxDepth)
        {
            json.WriteStringValue(Vocabulary.Word(random.NextInt(Vocabulary.Count)));
            return;
        }

        if (schema.TryGetProperty("enum", out var members) && members.ValueKind == JsonValueKind.Array && members.GetArrayLength() > 0)
        {
            members[random.NextInt(members.GetArrayLength())].WriteTo(json);
            return;
        }

        switch (TypeOf(schema))
        {
            case "integer": json.WriteNumberValue(random.NextInt(100)); break;
            case "number": json.WriteNumberValue(random.NextInt(10000) / 100.0); break;
            case "boolean": json.WriteBooleanValue((random.Next() & 1) == 1); break;
            case "null": json.WriteNullValue(); break;
            case "object": WriteObject(json, schema, ref random, depth); break;
            case "array":
                json.WriteStartArray();
                WriteValue(json, schema.TryGetProperty("items", out var items) ? items : default, ref random, depth + 1);
                json.WriteEndArray();
                break;
            default: json.WriteStringValue(Vocabulary.Word(random.NextInt(Vocabulary.Count))); break;
        }
    }

    /// <summary>The declared type; for a list of types such as ["string","null"], the first that is not null.</summary>
    private static string? TypeOf(JsonElement schema)
    {
        if (!schema.TryGetProperty("type", out var type))
        {
            return schema.TryGetProperty("properties", out _) ? "object" : null;
        }

        if (type.ValueKind == JsonValueKind.String)
        {
            return type.GetString();
        }

        return type.ValueKind == JsonValueKind.Array
            ? type.EnumerateArray().Select(t => t.GetString()).FirstOrDefault(t => t is not null and not "null") ?? "null"
            : null;
    }
}
