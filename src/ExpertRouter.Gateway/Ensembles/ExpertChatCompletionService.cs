using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using ExpertRouter.Gateway.Invocation;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;

namespace ExpertRouter.Gateway.Ensembles;

/// <summary>
/// Semantic Kernel's chat service for one expert, over <see cref="EnsembleCalls"/>: SK renders the judge,
/// aggregator and verifier prompt templates and picks this service by the expert's id (a keyed service), while the
/// HTTP call itself stays the gateway's (cache, invoker). The call's result rides along in the message
/// metadata under <see cref="CallKey"/>; the request's <see cref="EnsembleScope"/> comes in the execution settings.
/// </summary>
public sealed class ExpertChatCompletionService(string expertId, EnsembleCalls calls, TimeSpan defaultTimeout) : IChatCompletionService
{
    public const string CallKey = "expertrouter.call";

    /// <summary>The request's <see cref="EnsembleScope"/>, in the execution settings' extension data.</summary>
    public const string ScopeSetting = "expertrouter_scope";

    public IReadOnlyDictionary<string, object?> Attributes { get; } = new Dictionary<string, object?>
    {
        ["ModelId"] = expertId,
    };

    public async Task<IReadOnlyList<ChatMessageContent>> GetChatMessageContentsAsync(
        ChatHistory chatHistory, PromptExecutionSettings? executionSettings = null, Kernel? kernel = null, CancellationToken cancellationToken = default)
    {
        var result = await calls.CompleteAsync(Scope(executionSettings), expertId, Body(chatHistory), cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            throw new ExpertCallException(result);
        }

        return [new ChatMessageContent(AuthorRole.Assistant, result.Content, expertId, metadata: new Dictionary<string, object?> { [CallKey] = result })];
    }

    /// <summary>
    /// Content deltas are yielded as the expert sends them; the last item carries the call's result (success or
    /// failure) in its metadata instead of throwing, so a caller that already forwarded text can still end cleanly.
    /// </summary>
    public async IAsyncEnumerable<StreamingChatMessageContent> GetStreamingChatMessageContentsAsync(
        ChatHistory chatHistory, PromptExecutionSettings? executionSettings = null, Kernel? kernel = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var deltas = Channel.CreateBounded<StreamingChatMessageContent>(new BoundedChannelOptions(32) { SingleReader = true, SingleWriter = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var call = StreamIntoAsync(deltas.Writer, Body(chatHistory), Scope(executionSettings), stop.Token);
        try
        {
            await foreach (var delta in deltas.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return delta;
            }
        }
        finally
        {
            // A consumer that stops early must not leave the expert's stream running until its deadline.
            await stop.CancelAsync().ConfigureAwait(false);
            await call.ConfigureAwait(false);
        }
    }

    private async Task StreamIntoAsync(ChannelWriter<StreamingChatMessageContent> deltas, JsonObject body, EnsembleScope scope, CancellationToken cancellationToken)
    {
        try
        {
            var result = await calls.StreamAsync(scope, expertId, body,
                (piece, token) => deltas.WriteAsync(new StreamingChatMessageContent(AuthorRole.Assistant, piece, modelId: expertId), token),
                cancellationToken).ConfigureAwait(false);
            await deltas.WriteAsync(new StreamingChatMessageContent(AuthorRole.Assistant, null, modelId: expertId,
                metadata: new Dictionary<string, object?> { [CallKey] = result }), cancellationToken).ConfigureAwait(false);
            deltas.TryComplete();
        }
        catch (Exception ex)
        {
            deltas.TryComplete(ex);
        }
    }

    private static JsonObject Body(ChatHistory chatHistory)
    {
        var messages = new JsonArray();
        foreach (var message in chatHistory)
        {
            messages.Add((JsonNode)new JsonObject { ["role"] = message.Role.Label, ["content"] = message.Content ?? "" });
        }

        return new JsonObject { ["messages"] = messages };
    }

    private EnsembleScope Scope(PromptExecutionSettings? settings) =>
        settings?.ExtensionData?.TryGetValue(ScopeSetting, out var scope) == true && scope is EnsembleScope given
            ? given
            : new EnsembleScope(new ChatCallScope("", "", defaultTimeout), null, "");
}

/// <summary>A failed expert call surfacing through Semantic Kernel, which reports failures as exceptions.</summary>
public sealed class ExpertCallException(ExpertCallResult result) : Exception($"Expert '{result.Expert.Id}' failed: {result.StatusText}.")
{
    public ExpertCallResult Result { get; } = result;
}
