using ExpertRouter.Core.Experts;
using ExpertRouter.Core.OpenAI;
using ExpertRouter.Gateway.Invocation;
using ExpertRouter.Gateway.OpenAI;
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

    /// <summary>The chat-completions body the request was translated into, once it was.</summary>
    public byte[]? ChatBody => Responses?.ChatBody ?? Messages?.ChatBody;

    /// <summary>The client's body for experts that speak its API natively; null when every attempt must translate.</summary>
    public NativeRequest? Native { get; private set; }

    /// <summary>
    /// The answer being relayed is an expert's native one, passed through untranslated (and not cached, not stored as
    /// a Responses state). Set as each attempt's answer starts to be relayed; a discarded attempt clears it.
    /// </summary>
    public bool PassThrough { get; set; }

    /// <summary>Translates the client's body into a chat-completions body, or says what is wrong with it.</summary>
    public async ValueTask<(byte[]? ChatBody, ApiError? Error)> TranslateRequestAsync(string tenantId, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        TenantId = tenantId;
        if (Protocol == ClientProtocol.Responses)
        {
            var call = await responses.TranslateRequestAsync(tenantId, body, cancellationToken).ConfigureAwait(false);
            Responses = call.Succeeded ? call.Value : null;
            // A continuation names a response the gateway stored; an expert would not know its id, so it is translated.
            Native = call.Succeeded && call.Value.Request.PreviousResponseId is null
                ? NativeFor(ExpertApis.Responses, OpenAIPaths.UpstreamResponses, body)
                : null;
            return call.Succeeded ? (call.Value.ChatBody, null) : (null, call.Error);
        }

        var message = messages.TranslateRequest(body);
        Messages = message.Succeeded ? message.Value : null;
        Native = message.Succeeded ? NativeFor(ExpertApis.Anthropic, OpenAIPaths.UpstreamMessages, body) : null;
        return message.Succeeded ? (message.Value.ChatBody, null) : (null, message.Error);
    }

    /// <summary>
    /// The body as it would pass through, when its <c>model</c> can be rewritten: a body whose <c>model</c> key repeats
    /// is translated instead, so the expert cannot answer as another model than the one routed and billed.
    /// </summary>
    private static NativeRequest? NativeFor(string api, string path, ReadOnlyMemory<byte> body) =>
        OpenAIRequestParser.FindModelToken(body.Span) is { } token ? new NativeRequest(api, path, body, token) : null;

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

    /// <summary>The protocol's error event, ending a passed-through stream that broke after its first byte.</summary>
    public byte[] NativeStreamErrorEvent(ApiError error)
    {
        using var output = new SseEventBuffer();
        var json = output.Begin("error");
        if (Protocol == ClientProtocol.Responses)
        {
            json.WriteStartObject();
            json.WriteString("type", "error");
            json.WriteString("code", ResponsesErrors.EventCode(error));
            json.WriteString("message", error.Message);
            json.WriteString("param", error.Param);
            json.WriteEndObject();
        }
        else
        {
            AnthropicErrors.Write(json, error);
        }

        output.End();
        // The expert may have broken off mid-event: the blank line ends whatever part of one the client holds.
        return [.. "\n\n"u8, .. output.Written.Span];
    }

    public byte[] ErrorBody(ApiError error) =>
        Protocol == ClientProtocol.Responses ? ResponsesProtocol.ErrorBody(error) : AnthropicMessagesProtocol.ErrorBody(error);
}
