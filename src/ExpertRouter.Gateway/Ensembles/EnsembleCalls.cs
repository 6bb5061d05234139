using System.Text;
using System.Text.Json.Nodes;
using ExpertRouter.Core.Telemetry;
using ExpertRouter.Gateway.Accounting;
using ExpertRouter.Gateway.Caching;
using ExpertRouter.Gateway.Caching.Replay;
using ExpertRouter.Gateway.Experts;
using ExpertRouter.Gateway.Invocation;

namespace ExpertRouter.Gateway.Ensembles;

/// <summary>What every member call of one ensemble request shares: the background call's scope, the tenant's cache view and the question.</summary>
public sealed record EnsembleScope(ChatCallScope Call, CacheView? Cache, string Prompt);

/// <summary>
/// One ensemble member's call: the tenant's response cache first, through the client request's own
/// <see cref="CacheView"/> and keyed as a direct call to that expert would be; then the expert, through
/// <see cref="ChatCaller"/> (the gateway's one way to call an expert); a complete answer is stored for next time.
/// </summary>
public sealed partial class EnsembleCalls(ChatCaller chat, ExpertCatalog catalog, ILogger<EnsembleCalls> logger)
{
    public Task<ExpertCallResult> CompleteAsync(EnsembleScope scope, string expertId, JsonObject body, CancellationToken cancellationToken) =>
        CallAsync(scope, expertId, body, onContent: null, cancellationToken);

    public Task<ExpertCallResult> StreamAsync(
        EnsembleScope scope, string expertId, JsonObject body, Func<string, CancellationToken, ValueTask> onContent, CancellationToken cancellationToken) =>
        CallAsync(scope, expertId, body, onContent, cancellationToken);

    /// <summary>The expert a member call names, or null for an id the gateway does not know.</summary>
    public Core.Experts.ExpertDefinition? Expert(string expertId) => catalog.TryGet(expertId, out var expert) ? expert : null;

    private async Task<ExpertCallResult> CallAsync(
        EnsembleScope scope, string expertId, JsonObject body, Func<string, CancellationToken, ValueTask>? onContent, CancellationToken cancellationToken)
    {
        if (!catalog.TryGet(expertId, out var expert))
        {
            return new ExpertCallResult(new Core.Experts.ExpertDefinition { Id = expertId }, ExpertCallStatus.Skipped, "", 0, 0, "unknown expert", TimeSpan.Zero);
        }

        body["model"] = expert.Id;
        var keys = scope.Cache?.KeysForCall(body.ToJsonString());
        if (keys is not null && await CachedAsync(scope.Cache!, keys, expert, cancellationToken).ConfigureAwait(false) is { } hit)
        {
            if (onContent is not null)
            {
                await onContent(hit.Content, cancellationToken).ConfigureAwait(false);
            }

            return hit with { Streamed = onContent is not null };
        }

        var result = onContent is null
            ? await chat.CompleteAsync(scope.Call, expert, body, cancellationToken).ConfigureAwait(false)
            : await chat.StreamAsync(scope.Call, expert, body, onContent, cancellationToken).ConfigureAwait(false);
        if (keys is not null && result.Succeeded)
        {
            await StoreAsync(scope, keys, result).ConfigureAwait(false);
        }

        return result;
    }

    private static async Task<ExpertCallResult?> CachedAsync(CacheView cache, CacheKeys keys, Core.Experts.ExpertDefinition expert, CancellationToken cancellationToken)
    {
        if (await cache.GetCallAsync(keys, expert.Id, cancellationToken).ConfigureAwait(false) is not { } entry
            || ChatAnswer.Parse(expert, entry.Completion, 0, TimeSpan.Zero) is not { Succeeded: true } answer)
        {
            return null;
        }

        await cache.RecordSavingAsync(new CacheSaving(entry.Expert, entry.PromptTokens, entry.CompletionTokens, expert.CostUsd(entry.PromptTokens, entry.CompletionTokens)))
            .ConfigureAwait(false);
        return answer with { Cached = true, PromptTokens = (int)entry.PromptTokens, CompletionTokens = (int)entry.CompletionTokens, Body = null };
    }

    private async Task StoreAsync(EnsembleScope scope, CacheKeys keys, ExpertCallResult result)
    {
        try
        {
            var completion = result.Body is { } json
                ? CompletionAssembler.FromJson(Encoding.UTF8.GetBytes(json))
                : result.RawEvents is { } events ? CompletionAssembler.FromEventStream(events) : null;
            await scope.Cache!.StoreAsync(keys, completion, result.Expert.Id, scope.Prompt, probe: null).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The ensemble has its answer; failing to keep a copy must not turn into an error.
            Log.StoreFailed(logger, scope.Call.RequestId, result.Expert.Id, ex);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEvents.EnsembleStoreFailed, Level = LogLevel.Warning, Message = "Request {RequestId}: the answer of {Expert} could not be stored in the cache.")]
        public static partial void StoreFailed(ILogger logger, string requestId, string expert, Exception exception);
    }
}
