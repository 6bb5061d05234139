using ExpertRouter.Core.OpenAI;
using ExpertRouter.Gateway.Protocols;
using ExpertRouter.Gateway.Protocols.Messages;
using ExpertRouter.Gateway.Protocols.Responses;

namespace ExpertRouter.Gateway.Pipeline;

/// <summary>The client APIs the gateway speaks besides chat completions; each is one more front door to the same routing.</summary>
public enum ClientProtocol
{
    Responses,
    AnthropicMessages,
}

/// <summary>
/// One request in a client protocol other than chat completions: the protocol, and (once the request was translated)
/// the call that knows how to turn the chat answer back into the protocol's JSON, event stream or error.
/// </summary>
internal sealed class ClientProtocolExchange(ClientProtocol protocol, ResponsesProtocol responses, AnthropicMessagesProtocol messages)
{
    public ClientProtocol Protocol { get; } = protocol;

    public string TenantId { get; private set; } = "";

    public ResponsesCall? Responses { get; private set; }

    public AnthropicCall? Messages { get; private set; }

    public bool Translated => Responses is not null || Messages is not null;

    public bool Stream => Responses?.Request.Stream ?? Messages?.Stream ?? false;

    /// <summary>Translates the client's body into a chat-completions body, or says what is wrong with it.</summary>
    public async ValueTask<(byte[]? ChatBody, ApiError? Error)> TranslateRequestAsync(string tenantId, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        TenantId = tenantId;
        if (Protocol == ClientProtocol.Responses)
        {
            var call = await responses.TranslateRequestAsync(tenantId, body, cancellationToken).ConfigureAwait(false);
            Responses = call.Succeeded ? call.Value : null;
            return call.Succeeded ? (call.Value.ChatBody, null) : (null, call.Error);
        }

        var message = messages.TranslateRequest(body);
        Messages = message.Succeeded ? message.Value : null;
        return message.Succeeded ? (message.Value.ChatBody, null) : (null, message.Error);
    }

    /// <summary>A whole chat completion as the protocol's answer.</summary>
    public async ValueTask<(byte[]? Body, ApiError? Error)> TranslateAnswerAsync(ReadOnlyMemory<byte> chatCompletion, CancellationToken cancellationToken)
    {
        var answer = Responses is { } call
            ? await responses.TranslateResponseAsync(TenantId, call, chatCompletion, cancellationToken).ConfigureAwait(false)
            : messages.TranslateResponse(Messages!, chatCompletion);
        return answer.Succeeded ? (answer.Value, null) : (null, answer.Error);
    }

    /// <summary>A stream that turns the chat answer's events into the protocol's as they are written.</summary>
    public ChatStreamTranslator OpenStream(Stream client) =>
        Responses is { } call ? responses.OpenStream(TenantId, call, client) : messages.OpenStream(Messages!, client);

    public byte[] ErrorBody(ApiError error) =>
        Protocol == ClientProtocol.Responses ? ResponsesProtocol.ErrorBody(error) : AnthropicMessagesProtocol.ErrorBody(error);
}
