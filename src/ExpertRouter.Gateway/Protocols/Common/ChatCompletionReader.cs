using System.Text.Json;
using ExpertRouter.Core.OpenAI;

namespace ExpertRouter.Gateway.Protocols;

/// <summary>Reads an expert's non-streamed <c>chat.completion</c> into an <see cref="AssistantTurn"/> (its first choice).</summary>
public static class ChatCompletionReader
{
    public static ProtocolResult<AssistantTurn> Read(ReadOnlyMemory<byte> body)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException ex)
        {
            return ApiError.Upstream(502, $"The expert's answer is not valid JSON ({ex.Message}).");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return ApiError.Upstream(502, "The expert's answer is not a JSON object.");
            }

            if (root.TryGetProperty("error", out var error) && error.ValueKind is not JsonValueKind.Null)
            {
                return UpstreamErrors.FromErrorElement(error, null);
            }

            if (!root.TryGetProperty("choices", out var choices) || choices.ValueKind != JsonValueKind.Array || choices.GetArrayLength() == 0)
            {
                return ApiError.Upstream(502, "The expert's answer has no choices.");
            }

            var choice = choices[0];
            var message = choice.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.Object ? m : default;
            return new AssistantTurn(
                RequestFields.StringOrNull(root, "model"),
                ContentText(message),
                message.ValueKind == JsonValueKind.Object ? RequestFields.StringOrNull(message, "refusal") ?? "" : "",
                ToolCalls(message),
                RequestFields.StringOrNull(choice, "finish_reason"),
                RequestFields.StringOrNull(choice, "stop_reason"),
                root.TryGetProperty("usage", out var usage) ? TokenUsage.Read(usage) : null);
        }
    }

    /// <summary>The content: a string, or (some backends) an array of text parts.</summary>
    private static string ContentText(JsonElement message)
    {
        if (message.ValueKind != JsonValueKind.Object || !message.TryGetProperty("content", out var content))
        {
            return "";
        }

        return content.ValueKind switch
        {
            JsonValueKind.String => content.GetString()!,
            JsonValueKind.Array => string.Concat(content.EnumerateArray().Select(part => RequestFields.StringOrNull(part, "text"))),
            _ => "",
        };
    }

    private static List<AssistantToolCall> ToolCalls(JsonElement message)
    {
        var calls = new List<AssistantToolCall>();
        if (message.ValueKind != JsonValueKind.Object)
        {
            return calls;
        }

        if (message.TryGetProperty("tool_calls", out var toolCalls) && toolCalls.ValueKind == JsonValueKind.Array)
        {
            foreach (var call in toolCalls.EnumerateArray())
            {
                var function = call.ValueKind == JsonValueKind.Object && call.TryGetProperty("function", out var f) ? f : default;
                calls.Add(new AssistantToolCall(
                    RequestFields.StringOrNull(call, "id") ?? "",
                    RequestFields.StringOrNull(function, "name") ?? "",
                    RequestFields.StringOrNull(function, "arguments") ?? ""));
            }
        }
        else if (message.TryGetProperty("function_call", out var legacy) && legacy.ValueKind == JsonValueKind.Object)
        {
            calls.Add(new AssistantToolCall("", RequestFields.StringOrNull(legacy, "name") ?? "", RequestFields.StringOrNull(legacy, "arguments") ?? ""));
        }

        return calls;
    }
}
