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

            // One pass over each object the answer is read from: each lookup by name would scan all its members.
            JsonElement error = default, choices = default, model = default, usage = default;
            foreach (var member in root.EnumerateObject())
            {
                var name = RequestFields.Name(member);
                if (name.SequenceEqual("choices"u8))
                {
                    choices = member.Value;
                }
                else if (name.SequenceEqual("usage"u8))
                {
                    usage = member.Value;
                }
                else if (name.SequenceEqual("model"u8))
                {
                    model = member.Value;
                }
                else if (name.SequenceEqual("error"u8))
                {
                    error = member.Value;
                }
            }

            if (error.ValueKind is not (JsonValueKind.Undefined or JsonValueKind.Null))
            {
                return UpstreamErrors.FromErrorElement(error, null);
            }

            if (choices.ValueKind != JsonValueKind.Array || choices.GetArrayLength() == 0)
            {
                return ApiError.Upstream(502, "The expert's answer has no choices.");
            }

            var choice = choices[0];
            if (choice.ValueKind != JsonValueKind.Object)
            {
                return ApiError.Upstream(502, "The expert's answer has a choice that is not an object.");
            }

            JsonElement message = default, finishReason = default, stopReason = default;
            foreach (var member in choice.EnumerateObject())
            {
                var name = RequestFields.Name(member);
                if (name.SequenceEqual("message"u8))
                {
                    message = member.Value.ValueKind == JsonValueKind.Object ? member.Value : default;
                }
                else if (name.SequenceEqual("finish_reason"u8))
                {
                    finishReason = member.Value;
                }
                else if (name.SequenceEqual("stop_reason"u8))
                {
                    stopReason = member.Value;
                }
            }

            var reply = MessageMembers.Read(message);
            return new AssistantTurn(
                StringOrNull(model),
                ContentText(reply.Content),
                StringOrNull(reply.Refusal) ?? "",
                ToolCalls(reply),
                StringOrNull(finishReason),
                StringOrNull(stopReason),
                usage.ValueKind != JsonValueKind.Undefined ? TokenUsage.Read(usage) : null);
        }
    }

    private static string? StringOrNull(JsonElement value) => value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>The content: a string, or (some backends) an array of text parts.</summary>
    private static string ContentText(JsonElement content) => content.ValueKind switch
    {
        JsonValueKind.String => content.GetString()!,
        JsonValueKind.Array => string.Concat(content.EnumerateArray().Select(part => RequestFields.StringOrNull(part, "text"))),
        _ => "",
    };

    private static List<AssistantToolCall> ToolCalls(MessageMembers message)
    {
        var calls = new List<AssistantToolCall>();
        if (message.ToolCalls.ValueKind == JsonValueKind.Array)
        {
            foreach (var call in message.ToolCalls.EnumerateArray())
            {
                var function = call.ValueKind == JsonValueKind.Object && call.TryGetProperty("function", out var f) ? f : default;
                calls.Add(new AssistantToolCall(
                    RequestFields.StringOrNull(call, "id") ?? "",
                    RequestFields.StringOrNull(function, "name") ?? "",
                    RequestFields.StringOrNull(function, "arguments") ?? ""));
            }
        }
        else if (message.FunctionCall.ValueKind == JsonValueKind.Object)
        {
            var legacy = message.FunctionCall;
            calls.Add(new AssistantToolCall("", RequestFields.StringOrNull(legacy, "name") ?? "", RequestFields.StringOrNull(legacy, "arguments") ?? ""));
        }

        return calls;
    }

    /// <summary>The members of the choice's message this reader takes (all <c>default</c> when there is no message object).</summary>
    private struct MessageMembers
    {
        public JsonElement Content;
        public JsonElement Refusal;
        public JsonElement ToolCalls;
        public JsonElement FunctionCall;

        public static MessageMembers Read(JsonElement message)
        {
            var members = default(MessageMembers);
            if (message.ValueKind != JsonValueKind.Object)
            {
                return members;
            }

            foreach (var member in message.EnumerateObject())
            {
                var name = RequestFields.Name(member);
                if (name.SequenceEqual("content"u8))
                {
                    members.Content = member.Value;
                }
                else if (name.SequenceEqual("refusal"u8))
                {
                    members.Refusal = member.Value;
                }
                else if (name.SequenceEqual("tool_calls"u8))
                {
                    members.ToolCalls = member.Value;
                }
                else if (name.SequenceEqual("function_call"u8))
                {
                    members.FunctionCall = member.Value;
                }
            }

            return members;
        }
    }
}
