using ExpertRouter.Core.OpenAI;

namespace ExpertRouter.Gateway.Protocols.Messages;

/// <summary>
/// <c>POST /v1/messages</c> (Anthropic Messages) over a chat-completions expert: translate the request, then the
/// answer, whole or streamed. Errors go out in Anthropic's shape (<see cref="AnthropicErrors"/>).
/// </summary>
public sealed class AnthropicMessagesProtocol(ProtocolIds ids)
{
    /// <summary>The chat call for a client's body, or the 400 to answer it with (write it with <see cref="ErrorBody"/>).</summary>
    public ProtocolResult<AnthropicCall> TranslateRequest(ReadOnlyMemory<byte> body) => AnthropicRequestTranslator.Translate(body, ids);

    /// <summary>A non-streamed chat answer as the <c>message</c> body.</summary>
    public ProtocolResult<byte[]> TranslateResponse(AnthropicCall call, ReadOnlyMemory<byte> chatCompletion) =>
        AnthropicResponseTranslator.Translate(call, chatCompletion, ids);

    /// <summary>The body to forward an expert's chat SSE into; it writes Anthropic's events to <paramref name="client"/>.</summary>
    public ChatStreamTranslator OpenStream(AnthropicCall call, Stream client)
    {
        ArgumentNullException.ThrowIfNull(call);
        return new ChatStreamTranslator(client, new AnthropicStreamRenderer(call, ids));
    }

    /// <summary>Any error before the first byte, in Anthropic's shape; the status stays the error's.</summary>
    public static byte[] ErrorBody(ApiError error) => AnthropicErrors.ToJson(error);
}
