using System.Text.Json;
using ExpertRouter.Gateway.Protocols.State;

namespace ExpertRouter.Gateway.Protocols.Responses;

/// <summary>An expert's non-streamed chat answer as a Responses API <c>response</c>, and what the store keeps of it.</summary>
public sealed record ResponsesAnswer(byte[] Body, StoredResponse? ToStore);

/// <summary>Translates a non-streamed <c>chat.completion</c> into a Responses API <c>response</c> object.</summary>
public static class ResponsesResponseTranslator
{
    /// <param name="expiresAt">When the stored response expires; ignored when the request said <c>store: false</c>.</param>
    public static ProtocolResult<ResponsesAnswer> Translate(ResponsesCall call, ReadOnlyMemory<byte> chatCompletion, ProtocolIds ids, DateTimeOffset expiresAt)
    {
        ArgumentNullException.ThrowIfNull(call);
        ArgumentNullException.ThrowIfNull(ids);
        var turn = ChatCompletionReader.Read(chatCompletion);
        if (!turn.Succeeded)
        {
            return turn.Error;
        }

        var (status, incompleteReason) = ResponseStatus.FromFinishReason(turn.Value.FinishReason);
        var output = ResponseStatus.ItemsOf(turn.Value, status, ids);
        var snapshot = new ResponseSnapshot(status, turn.Value.Model ?? call.Request.Model, output, turn.Value.Usage, incompleteReason);
        using var body = JsonBuffer.Rent(4096);
        var json = body.Json;
        ResponseObjectWriter.Write(json, call, snapshot);

        var toStore = call.Request.Store ? ResponsesConversation.Store(call, output, expiresAt) : null;
        return new ResponsesAnswer(body.WrittenSpan.ToArray(), toStore);
    }
}
