using System.Text.Json;
using ExpertRouter.Core.OpenAI;

namespace ExpertRouter.Gateway.Protocols;

/// <summary>What one <c>chat.completion.chunk</c> says about the first choice, plus the usage chunk's usage.</summary>
internal sealed record ChatStreamChunk(
    string? Model,
    string? Content,
    string? Refusal,
    IReadOnlyList<ChatToolCallDelta> ToolCalls,
    string? FinishReason,
    string? MatchedStop,
    TokenUsage? Usage);

/// <summary>A fragment of one tool call: the first carries its id and name, the others pieces of its arguments.</summary>
internal readonly record struct ChatToolCallDelta(int Index, string? Id, string? Name, string? Arguments);

internal static class ChatStreamChunks
{
    /// <summary>The chunk in a <c>data:</c> payload, or the failure it reports (<c>{"error":...}</c>) or is (not JSON).</summary>
    public static (ChatStreamChunk? Chunk, ApiError? Error) Read(ReadOnlyMemory<byte> data)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(data);
        }
        catch (JsonException ex)
        {
            return (null, ApiError.Upstream(502, $"The expert sent a stream event that is not JSON ({ex.Message})."));
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return (null, ApiError.Upstream(502, "The expert sent a stream event that is not a JSON object."));
            }

            if (root.TryGetProperty("error", out var error) && error.ValueKind is not JsonValueKind.Null)
            {
                return (null, UpstreamErrors.FromErrorElement(error, null));
            }

            var choice = FirstChoice(root);
            var delta = choice.ValueKind == JsonValueKind.Object && choice.TryGetProperty("delta", out var d) ? d : default;
            return (new ChatStreamChunk(
                RequestFields.StringOrNull(root, "model"),
                RequestFields.StringOrNull(delta, "content"),
                RequestFields.StringOrNull(delta, "refusal"),
                ToolCalls(delta),
                RequestFields.StringOrNull(choice, "finish_reason"),
                RequestFields.StringOrNull(choice, "stop_reason"),
                root.TryGetProperty("usage", out var usage) ? TokenUsage.Read(usage) : null), null);
        }
    }

    /// <summary>Choice 0: the translators ask for one choice; a chunk of any other is not theirs to render.</summary>
    private static JsonElement FirstChoice(JsonElement root)
    {
        if (!root.TryGetProperty("choices", out var choices) || choices.ValueKind != JsonValueKind.Array)
        {
            return default;
        }

        foreach (var choice in choices.EnumerateArray())
        {
            if (choice.ValueKind == JsonValueKind.Object
                && (!choice.TryGetProperty("index", out var index) || (index.ValueKind == JsonValueKind.Number && index.TryGetInt32(out var number) && number == 0)))
            {
                return choice;
            }
        }

        return default;
    }

    private static List<ChatToolCallDelta> ToolCalls(JsonElement delta)
    {
        var calls = new List<ChatToolCallDelta>();
        if (delta.ValueKind != JsonValueKind.Object || !delta.TryGetProperty("tool_calls", out var toolCalls) || toolCalls.ValueKind != JsonValueKind.Array)
        {
            return calls;
        }

        var position = 0;
        foreach (var call in toolCalls.EnumerateArray())
        {
            var index = call.TryGetProperty("index", out var i) && i.ValueKind == JsonValueKind.Number && i.TryGetInt32(out var given) ? given : position;
            var function = call.TryGetProperty("function", out var f) ? f : default;
            calls.Add(new ChatToolCallDelta(
                index,
                RequestFields.StringOrNull(call, "id"),
                RequestFields.StringOrNull(function, "name"),
                RequestFields.StringOrNull(function, "arguments")));
            position++;
        }

        return calls;
    }
}
