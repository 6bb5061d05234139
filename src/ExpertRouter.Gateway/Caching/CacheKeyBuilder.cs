using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;
using ExpertRouter.Gateway.OpenAI;

namespace ExpertRouter.Gateway.Caching;

/// <summary>What the cache needs from a chat request: its keys and whether it may be cached at all.</summary>
public sealed record CacheKeys(string Exact, string? Scope, bool Deterministic, bool IncludeUsage);

/// <summary>
/// Builds the exact key: SHA-256 over the tenant id and a canonical JSON of every field that can change the
/// answer (keys sorted, no whitespace, numbers and string escapes normalised), so key order and spacing do not
/// matter. Fields that only change delivery or bookkeeping are left out. The semantic scope is the same hash with
/// the last user message blanked: two prompts may share an answer only when everything else is equal.
/// </summary>
public static class CacheKeyBuilder
{
    /// <summary>Fields that do not change the answer's content.</summary>
    private static readonly HashSet<string> Ignored = ["stream", "stream_options", "user", "store", "metadata", "service_tier"];

    public static CacheKeys Build(string tenantId, ReadOnlyMemory<byte> body, bool withScope)
    {
        using var document = JsonDocument.Parse(body);
        var root = document.RootElement;
        var deterministic = OpenAIRequestParser.IsDeterministic(root);
        var includeUsage = root.TryGetProperty("stream_options", out var options) && options.ValueKind == JsonValueKind.Object
            && options.TryGetProperty("include_usage", out var usage) && usage.ValueKind == JsonValueKind.True;

        var exact = Hash(tenantId, root, blankMessage: -1);
        var scope = withScope ? Hash(tenantId, root, LastUserMessage(root)) : null;
        return new CacheKeys(exact, scope, deterministic, includeUsage);
    }

    private static string Hash(string tenantId, JsonElement root, int blankMessage)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            json.WriteStringValue(tenantId);
            json.WriteStringValue(blankMessage >= 0 ? "scope" : "exact");
            WriteRoot(json, root, blankMessage);
            json.WriteEndArray();
        }

        return Convert.ToHexStringLower(SHA256.HashData(buffer.WrittenSpan));
    }

    private static void WriteRoot(Utf8JsonWriter json, JsonElement root, int blankMessage)
    {
        json.WriteStartObject();
        foreach (var property in Sorted(root))
        {
            if (Ignored.Contains(property.Name))
            {
                continue;
            }

            json.WritePropertyName(property.Name);
            if (property.Name == "messages" && property.Value.ValueKind == JsonValueKind.Array && blankMessage >= 0)
            {
                json.WriteStartArray();
                var index = 0;
                foreach (var message in property.Value.EnumerateArray())
                {
                    WriteCanonical(json, message, blankContent: index++ == blankMessage);
                }

                json.WriteEndArray();
            }
            else
            {
                WriteCanonical(json, property.Value, blankContent: false);
            }
        }

        json.WriteEndObject();
    }

    private static void WriteCanonical(Utf8JsonWriter json, JsonElement element, bool blankContent)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                json.WriteStartObject();
                foreach (var property in Sorted(element))
                {
                    json.WritePropertyName(property.Name);
                    if (blankContent && property.Name == "content")
                    {
                        json.WriteNullValue();
                    }
                    else
                    {
                        WriteCanonical(json, property.Value, blankContent: false);
                    }
                }

                json.WriteEndObject();
                break;
            case JsonValueKind.Array:
                json.WriteStartArray();
                foreach (var item in element.EnumerateArray())
                {
                    WriteCanonical(json, item, blankContent: false);
                }

                json.WriteEndArray();
                break;
            case JsonValueKind.Number when element.TryGetInt64(out var integer):
                json.WriteNumberValue(integer);
                break;
            case JsonValueKind.Number:
                // 0, 0.0 and 0e0 are one value; the round-trip format keeps every distinct double distinct.
                json.WriteNumberValue(element.GetDouble());
                break;
            case JsonValueKind.String:
                // Unescaped, then escaped again by the writer, so "\u00e9" and "é" hash alike.
                json.WriteStringValue(element.GetString());
                break;
            default:
                element.WriteTo(json);
                break;
        }
    }

    private static IEnumerable<JsonProperty> Sorted(JsonElement element) =>
        element.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal);

    private static int LastUserMessage(JsonElement root)
    {
        var last = -1;
        if (root.TryGetProperty("messages", out var messages) && messages.ValueKind == JsonValueKind.Array)
        {
            var index = 0;
            foreach (var message in messages.EnumerateArray())
            {
                if (message.ValueKind == JsonValueKind.Object && message.TryGetProperty("role", out var role) && role.ValueEquals("user"u8))
                {
                    last = index;
                }

                index++;
            }
        }

        return last;
    }
}
