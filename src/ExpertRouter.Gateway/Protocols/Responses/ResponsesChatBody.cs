using System.Buffers;
using System.Text;
using System.Text.Json;
using ExpertRouter.Core.OpenAI;
using ExpertRouter.Gateway.Protocols.State;

namespace ExpertRouter.Gateway.Protocols.Responses;

/// <summary>
/// Writes the chat-completions body of a Responses API call: instructions as a system message, then the stored
/// history of <c>previous_response_id</c>, then the input, then the chat options.
/// </summary>
public static class ResponsesChatBody
{
    public static ProtocolResult<ResponsesCall> Build(ResponsesRequest request, StoredResponse? previous, string responseId, long createdAt)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var history = JsonDocument.Parse(previous?.MessagesJson ?? "[]");
        using var input = JsonDocument.Parse(request.InputMessagesJson);
        using var options = JsonDocument.Parse(request.ChatOptionsJson);
        if (UnansweredCallId(request, history.RootElement) is { } callId)
        {
            return ApiError.InvalidRequest($"No tool call found for function call output with call_id '{callId}'.", "input", "invalid_value");
        }

        var body = new ArrayBufferWriter<byte>(1024);
        using (var json = new Utf8JsonWriter(body, ProtocolJson.WriterOptions))
        {
            json.WriteStartObject();
            json.WriteString("model", request.Model);
            json.WriteStartArray("messages");
            if (request.Instructions is { Length: > 0 } instructions)
            {
                json.WriteStartObject();
                json.WriteString("role", "system");
                json.WriteString("content", instructions);
                json.WriteEndObject();
            }

            WriteElements(json, history.RootElement, input.RootElement);
            json.WriteEndArray();
            foreach (var option in options.RootElement.EnumerateObject())
            {
                option.WriteTo(json);
            }

            json.WriteEndObject();
        }

        var conversation = new ArrayBufferWriter<byte>(1024);
        using (var json = new Utf8JsonWriter(conversation, ProtocolJson.WriterOptions))
        {
            json.WriteStartArray();
            WriteElements(json, history.RootElement, input.RootElement);
            json.WriteEndArray();
        }

        return new ResponsesCall
        {
            Request = request,
            ChatBody = body.WrittenSpan.ToArray(),
            ConversationJson = Encoding.UTF8.GetString(conversation.WrittenSpan),
            ResponseId = responseId,
            CreatedAt = createdAt,
        };
    }

    private static void WriteElements(Utf8JsonWriter json, JsonElement history, JsonElement input)
    {
        foreach (var message in history.EnumerateArray())
        {
            message.WriteTo(json);
        }

        foreach (var message in input.EnumerateArray())
        {
            message.WriteTo(json);
        }
    }

    /// <summary>The first function_call_output call id that no tool call in the history answers to, if any.</summary>
    private static string? UnansweredCallId(ResponsesRequest request, JsonElement history)
    {
        if (request.CallIdsFromHistory.Count == 0)
        {
            return null;
        }

        var known = new HashSet<string>(StringComparer.Ordinal);
        foreach (var message in history.EnumerateArray())
        {
            if (message.TryGetProperty("tool_calls", out var calls) && calls.ValueKind == JsonValueKind.Array)
            {
                foreach (var call in calls.EnumerateArray())
                {
                    if (RequestFields.StringOrNull(call, "id") is { } id)
                    {
                        known.Add(id);
                    }
                }
            }
        }

        return request.CallIdsFromHistory.FirstOrDefault(id => !known.Contains(id));
    }
}
