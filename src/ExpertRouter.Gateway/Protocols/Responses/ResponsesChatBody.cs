using System.Buffers;
using System.Text;
using System.Text.Json;
using ExpertRouter.Core.OpenAI;
using ExpertRouter.Gateway.Protocols.State;

namespace ExpertRouter.Gateway.Protocols.Responses;

/// <summary>
/// Writes the chat-completions body of a Responses API call: instructions as a system message, then the stored
/// history of <c>previous_response_id</c>, then the input, then the chat options. History, input and options were
/// written by the gateway already (by the parser, or when the response was stored), so they are copied in as they
/// are, not parsed again.
/// </summary>
public static class ResponsesChatBody
{
    public static ProtocolResult<ResponsesCall> Build(ResponsesRequest request, StoredResponse? previous, string responseId, long createdAt)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (UnansweredCallId(request, previous) is { } callId)
        {
            return ApiError.InvalidRequest($"No tool call found for function call output with call_id '{callId}'.", "input", "invalid_value");
        }

        using var body = JsonBuffer.Rent(request.InputMessagesJson.Length + request.ChatOptionsJson.Length + (previous?.MessagesJson.Length ?? 0) + 256);
        var json = body.Json;
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

        var start = body.WrittenCount;
        if (previous is not null)
        {
            WriteHistory(json, previous.MessagesJson);
        }

        ProtocolJson.WriteElements(json, ProtocolJson.Inside(request.InputMessagesJson));
        var end = body.WrittenCount;
        json.WriteEndArray();
        json.Flush();

        // The options are whole members: they follow the array as bytes.
        ProtocolJson.CloseObjectWith(body, request.ChatOptionsJson);
        // After the instructions message, the conversation's first message came with the comma before it.
        if (start < end && body.WrittenSpan[start] == (byte)',')
        {
            start++;
        }

        return new ResponsesCall
        {
            Request = request,
            ChatBody = body.WrittenSpan.ToArray(),
            Conversation = start..end,
            ResponseId = responseId,
            CreatedAt = createdAt,
        };
    }

    private static void WriteHistory(Utf8JsonWriter json, string messagesJson)
    {
        var utf8 = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(messagesJson.Length));
        try
        {
            var length = Encoding.UTF8.GetBytes(messagesJson, utf8);
            ProtocolJson.WriteElements(json, ProtocolJson.Inside(utf8.AsSpan(0, length)));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(utf8);
        }
    }

    /// <summary>The first function_call_output call id that no tool call in the history answers to, if any.</summary>
    private static string? UnansweredCallId(ResponsesRequest request, StoredResponse? previous)
    {
        if (request.CallIdsFromHistory.Count == 0)
        {
            return null;
        }

        var known = new HashSet<string>(StringComparer.Ordinal);
        if (previous is not null)
        {
            using var history = JsonDocument.Parse(previous.MessagesJson);
            foreach (var message in history.RootElement.EnumerateArray())
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
        }

        foreach (var id in request.CallIdsFromHistory)
        {
            if (!known.Contains(id))
            {
                return id;
            }
        }

        return null;
    }
}
