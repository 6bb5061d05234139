using ExpertRouter.Core.OpenAI;
using ExpertRouter.Core.Telemetry;
using ExpertRouter.Gateway.Protocols.State;
using Microsoft.Extensions.Logging;

namespace ExpertRouter.Gateway.Protocols.Responses;

/// <summary>
/// <c>POST /v1/responses</c> over a chat-completions expert, in three calls: translate the request (with the
/// tenant's stored history when it names a <c>previous_response_id</c>), then translate the answer, whole or
/// streamed. Stored responses are saved before the client hears the answer is complete; a store that fails costs the
/// continuation, not the answer (logged).
/// </summary>
public sealed partial class ResponsesProtocol(
    IResponseStateStore store,
    ProtocolIds ids,
    TimeProvider time,
    ResponseStateOptions stateOptions,
    ILogger<ResponsesProtocol> logger)
{
    /// <summary>The chat call for a client's body, or the error to answer it with (OpenAI's envelope, its status).</summary>
    public async ValueTask<ProtocolResult<ResponsesCall>> TranslateRequestAsync(string tenantId, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        var parsed = ResponsesRequestParser.Parse(body);
        if (!parsed.Succeeded)
        {
            return parsed.Error;
        }

        StoredResponse? previous = null;
        if (parsed.Value.PreviousResponseId is { } previousId)
        {
            try
            {
                previous = await store.GetAsync(tenantId, previousId, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Log.LoadFailed(logger, ex, store.Name, previousId);
                return ResponsesErrors.StoreUnavailable();
            }

            if (previous is null)
            {
                return ResponsesErrors.PreviousResponseNotFound(previousId);
            }
        }

        return ResponsesChatBody.Build(parsed.Value, previous, ids.Response(), time.GetUtcNow().ToUnixTimeSeconds());
    }

    /// <summary>A non-streamed chat answer as the <c>response</c> body; stored first when the request asked for it.</summary>
    public async ValueTask<ProtocolResult<byte[]>> TranslateResponseAsync(string tenantId, ResponsesCall call, ReadOnlyMemory<byte> chatCompletion, CancellationToken cancellationToken)
    {
        var answer = ResponsesResponseTranslator.Translate(call, chatCompletion, ids, ExpiresAt());
        if (!answer.Succeeded)
        {
            return answer.Error;
        }

        if (answer.Value.ToStore is { } stored)
        {
            await SaveAsync(tenantId, stored, cancellationToken);
        }

        return answer.Value.Body;
    }

    /// <summary>The body to forward an expert's chat SSE into; it writes the Responses API's events to <paramref name="client"/>.</summary>
    public ChatStreamTranslator OpenStream(string tenantId, ResponsesCall call, Stream client)
    {
        ArgumentNullException.ThrowIfNull(call);
        var renderer = new ResponsesStreamRenderer(call, ids);
        return new ChatStreamTranslator(client, renderer, async cancellationToken =>
        {
            if (call.Request.Store && renderer.CompletedOutput is { } output)
            {
                await SaveAsync(tenantId, ResponsesConversation.Store(call, output, ExpiresAt()), cancellationToken);
            }
        });
    }

    /// <summary>An error before the first byte: OpenAI's envelope, as on every OpenAI route.</summary>
    public static byte[] ErrorBody(ApiError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return error.ToEnvelopeJson();
    }

    private DateTimeOffset ExpiresAt() => time.GetUtcNow() + stateOptions.TimeToLive;

    private async ValueTask SaveAsync(string tenantId, StoredResponse stored, CancellationToken cancellationToken)
    {
        try
        {
            await store.SaveAsync(tenantId, stored, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.StoreFailed(logger, ex, store.Name, stored.ResponseId);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(LogEvents.ResponseStateNotStored, LogLevel.Warning, "Could not store response {ResponseId} in the {Store} store; it cannot be continued with previous_response_id.")]
        public static partial void StoreFailed(ILogger logger, Exception exception, string store, string responseId);

        [LoggerMessage(LogEvents.ResponseStateNotLoaded, LogLevel.Warning, "Could not load response {ResponseId} from the {Store} store; the request that continues it fails with 503.")]
        public static partial void LoadFailed(ILogger logger, Exception exception, string store, string responseId);
    }
}
