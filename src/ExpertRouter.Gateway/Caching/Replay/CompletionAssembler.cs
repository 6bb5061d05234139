using System.Buffers;
using System.Text;
using System.Text.Json;
using ExpertRouter.Gateway.OpenAI;

namespace ExpertRouter.Gateway.Caching.Replay;

/// <summary>A complete answer taken from an expert's 200 response, in non-streaming form.</summary>
public sealed record CapturedCompletion(byte[] Body, long PromptTokens, long CompletionTokens);

/// <summary>
/// Turns what an expert sent into the one form the cache stores. A streamed answer is rebuilt from its chunks, and
/// only a stream that ended with <c>[DONE]</c>, carried no error event and held plain text (no tool-call deltas)
/// is kept: a truncated or failed answer must never be replayed as a success.
/// </summary>
public static class CompletionAssembler
{
    public static CapturedCompletion? FromJson(ReadOnlySpan<byte> body)
    {
        try
        {
            using var document = JsonDocument.Parse(body.ToArray());
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("object", out var kind) || !kind.ValueEquals("chat.completion"u8)
                || !root.TryGetProperty("choices", out var choices) || choices.ValueKind != JsonValueKind.Array || choices.GetArrayLength() == 0)
            {
                return null;
            }

            var (prompt, completion) = UsageOf(root);
            return new CapturedCompletion(body.ToArray(), prompt, completion);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public static CapturedCompletion? FromEventStream(ReadOnlySpan<byte> body)
    {
        var stream = new StreamState();
        foreach (var data in DataOf(Encoding.UTF8.GetString(body)))
        {
            if (data == "[DONE]")
            {
                return stream.Choices.Count == 0 ? null : stream.ToCompletion();
            }

            try
            {
                using var chunk = JsonDocument.Parse(data);
                if (!stream.Add(chunk.RootElement))
                {
                    return null;
                }
            }
            catch (JsonException)
            {
                return null;
            }
        }

        return null;
    }

    internal static (long Prompt, long Completion) UsageOf(JsonElement root) =>
        root.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object
            ? (ExpertJson.Int64(usage, "prompt_tokens") ?? 0, ExpertJson.Int64(usage, "completion_tokens") ?? 0)
            : (0, 0);

    /// <summary>The payload of each server-sent event, multi-line data joined as the SSE spec says.</summary>
    private static IEnumerable<string> DataOf(string text)
    {
        foreach (var block in text.Replace("\r\n", "\n", StringComparison.Ordinal).Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            var data = block.Split('\n')
                .Where(line => line.StartsWith("data:", StringComparison.Ordinal))
                .Select(line => line[5..].TrimStart(' '));
            var payload = string.Join("\n", data);
            if (payload.Length > 0)
            {
                yield return payload;
            }
        }
    }

    private sealed class StreamState
    {
        private string _id = "";
        private long _created;
        private string _model = "";
        private string? _fingerprint;
        private (long Prompt, long Completion)? _usage;

        public SortedDictionary<int, (string Role, StringBuilder Content, string? FinishReason)> Choices { get; } = [];

        /// <summary>Takes one chunk; false when the stream holds something the cache will not replay.</summary>
        public bool Add(JsonElement chunk)
        {
            if (chunk.ValueKind != JsonValueKind.Object || chunk.TryGetProperty("error", out _))
            {
                return false;
            }

            if (_id.Length == 0)
            {
                _id = ExpertJson.String(chunk, "id") ?? "";
                _created = ExpertJson.Int64(chunk, "created") ?? 0;
                _model = ExpertJson.String(chunk, "model") ?? "";
                _fingerprint = ExpertJson.String(chunk, "system_fingerprint");
            }

            if (chunk.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object)
            {
                _usage = UsageOf(chunk);
            }

            if (!chunk.TryGetProperty("choices", out var choices) || choices.ValueKind != JsonValueKind.Array)
            {
                return true;
            }

            foreach (var choice in choices.EnumerateArray())
            {
                if (!AddChoice(choice))
                {
                    return false;
                }
            }

            return true;
        }

        private bool AddChoice(JsonElement choice)
        {
            var index = ExpertJson.Int32(choice, "index") ?? 0;
            var state = Choices.TryGetValue(index, out var s) ? s : ("assistant", new StringBuilder(), null);
            if (choice.TryGetProperty("delta", out var delta) && delta.ValueKind == JsonValueKind.Object)
            {
                if (delta.TryGetProperty("tool_calls", out _) || delta.TryGetProperty("function_call", out _))
                {
                    return false;
                }

                if (delta.TryGetProperty("role", out var role) && role.ValueKind == JsonValueKind.String)
                {
                    state.Role = role.GetString()!;
                }

                if (delta.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String)
                {
                    state.Content.Append(content.GetString());
                }
            }

            if (choice.TryGetProperty("finish_reason", out var finish) && finish.ValueKind == JsonValueKind.String)
            {
                state.FinishReason = finish.GetString();
            }

            Choices[index] = state;
            return true;
        }

        public CapturedCompletion? ToCompletion()
        {
            if (Choices.Values.Any(c => c.FinishReason is null))
            {
                return null;
            }

            var buffer = new ArrayBufferWriter<byte>(256);
            using (var json = new Utf8JsonWriter(buffer))
            {
                json.WriteStartObject();
                json.WriteString("id", _id);
                json.WriteString("object", "chat.completion");
                json.WriteNumber("created", _created);
                json.WriteString("model", _model);
                if (_fingerprint is not null)
                {
                    json.WriteString("system_fingerprint", _fingerprint);
                }

                json.WriteStartArray("choices");
                foreach (var (index, choice) in Choices)
                {
                    json.WriteStartObject();
                    json.WriteNumber("index", index);
                    json.WriteStartObject("message");
                    json.WriteString("role", choice.Role);
                    json.WriteString("content", choice.Content.ToString());
                    json.WriteEndObject();
                    json.WriteString("finish_reason", choice.FinishReason);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                if (_usage is { } usage)
                {
                    json.WriteStartObject("usage");
                    json.WriteNumber("prompt_tokens", usage.Prompt);
                    json.WriteNumber("completion_tokens", usage.Completion);
                    json.WriteNumber("total_tokens", usage.Prompt + usage.Completion);
                    json.WriteEndObject();
                }

                json.WriteEndObject();
            }

            return new CapturedCompletion(buffer.WrittenSpan.ToArray(), _usage?.Prompt ?? 0, _usage?.Completion ?? 0);
        }
    }
}
