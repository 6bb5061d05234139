using System.Buffers;
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

        var buffer = new ArrayBufferWriter<byte>(call.ConversationJson.Length + 512);
        using (var document = JsonDocument.Parse(call.ConversationJson))
        using (var json = new Utf8JsonWriter(buffer, ProtocolJson.WriterOptions))
        {
            json.WriteStartArray();
            foreach (var message in document.RootElement.EnumerateArray())
            {
                message.WriteTo(json);
            }

            turn.WriteElements(json);
            json.WriteEndArray();
        }

        return new StoredResponse(call.ResponseId, Encoding.UTF8.GetString(buffer.WrittenSpan), expiresAt);
    }
}
