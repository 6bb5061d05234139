using System.Text;
using System.Text.Json;
using ExpertRouter.Gateway.Protocols.State;

namespace ExpertRouter.Gateway.Protocols.Responses;

/// <summary>What a response leaves in the store: the conversation so far plus its output as an assistant turn.</summary>
internal static class ResponsesConversation
{
    public static StoredResponse Store(ResponsesCall call, IReadOnlyList<ResponseOutputItem> output, DateTimeOffset expiresAt)
    {
        var turn = new ChatMessageList();
        foreach (var item in output)
        {
            switch (item)
            {
                case ResponseMessageItem message:
                    turn.AddAssistantText(message.Text.Length > 0 ? message.Text : message.Refusal);
                    break;
                case ResponseFunctionCallItem functionCall:
                    turn.AddToolCall(functionCall.CallId, functionCall.Name, functionCall.Arguments);
                    break;
            }
        }

        // The conversation is the chat body's own bytes: the store keeps what the expert was sent, not a copy written again.
        var conversation = call.ConversationMessages.Span;
        using var buffer = JsonBuffer.Rent(conversation.Length + 1024);
        var json = buffer.Json;
        json.WriteStartArray();
        ProtocolJson.WriteElements(json, conversation);
        turn.WriteElements(json);
        json.WriteEndArray();

        return new StoredResponse(call.ResponseId, Encoding.UTF8.GetString(buffer.WrittenSpan), expiresAt);
    }
}
