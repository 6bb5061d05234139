using System.Buffers;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;
using ExpertRouter.Gateway.OpenAI;

namespace ExpertRouter.Gateway.Caching;

/// <summary>What the cache needs from a chat request: its keys and whether it may be cached at all.</summary>
public sealed record CacheKeys(string Exact, string? Scope, bool Deterministic, bool IncludeUsage);

/// <summary>
/// Builds the exact key: SHA-256 over the tenant id and a canonical JSON of every field that can change the
/// answer (keys sorted, no whitespace, numbers (<see cref="CanonicalJsonNumber"/>) and string escapes normalised),
/// so key order and spacing do not matter. Fields that only change delivery or bookkeeping are left out. The
/// semantic scope is the same hash with the last user message's text blanked (its attachments stay): two prompts may
/// share an answer only when everything else, images included, is equal.
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
                        WriteAttachments(json, property.Value);
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
            case JsonValueKind.Number:
                // From the digits, never through a double: 1e999 has no double, and a throw here would be a 500.
                json.WriteRawValue(CanonicalJsonNumber.Of(JsonMarshal.GetRawUtf8Value(element)), skipInputValidation: true);
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

    /// <summary>
    /// The semantic scope's stand-in for the last user message's content: its parts without text (images, audio,
    /// files), so a neighbour is only ever one with the same attachments. The text is what the prompt comparison
    /// judges; a string and an array of text parts both leave an empty list.
    /// </summary>
    private static void WriteAttachments(Utf8JsonWriter json, JsonElement content)
    {
        json.WriteStartArray();
        if (content.ValueKind == JsonValueKind.Array)
        {
            foreach (var part in content.EnumerateArray())
            {
                // The parts whose text the request parser puts into the prompt.
                if (!(part.ValueKind == JsonValueKind.Object && part.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String))
                {
                    WriteCanonical(json, part, blankContent: false);
                }
            }
        }

        json.WriteEndArray();
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
