using System.Text.Json;

namespace ExpertRouter.Gateway.Protocols.Messages;

/// <summary>Translates a non-streamed <c>chat.completion</c> into an Anthropic <c>message</c>.</summary>
public static class AnthropicResponseTranslator
{
    public static ProtocolResult<byte[]> Translate(AnthropicCall call, ReadOnlyMemory<byte> chatCompletion, ProtocolIds ids)
    {
        ArgumentNullException.ThrowIfNull(call);
        ArgumentNullException.ThrowIfNull(ids);
        var read = ChatCompletionReader.Read(chatCompletion);
        if (!read.Succeeded)
        {
            return read.Error;
        }

        var turn = read.Value;
        var refused = turn.Refusal.Length > 0;
        var stop = AnthropicStopReason.From(turn.FinishReason, turn.MatchedStop, refused, call);
        using var body = JsonBuffer.Rent(4096);
        var json = body.Json;
        AnthropicMessageWriter.WriteStart(json, call, turn.Model ?? call.Model);
        var text = turn.Text.Length > 0 ? turn.Text : turn.Refusal;
        if (text.Length > 0)
        {
            AnthropicMessageWriter.WriteTextBlock(json, text);
        }

        foreach (var toolCall in turn.ToolCalls)
        {
            AnthropicMessageWriter.WriteToolUseBlock(json, ids.ToolUse(), call.ToolNames.ToClient(toolCall.Name), toolCall.Arguments);
        }

        AnthropicMessageWriter.WriteEnd(json, call, stop, turn.Usage);

        return body.WrittenSpan.ToArray();
    }
}
