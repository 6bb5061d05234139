using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;

namespace ExpertRouter.Gateway.Aggregation;

/// <summary>
/// Semantic Kernel's chat service for one expert, over <see cref="ExpertClient"/>: SK renders the judge and
/// aggregator prompt templates and picks this service by the expert's id (a keyed service), while the HTTP call
/// itself stays the gateway's. The call's result rides along in the message metadata under <see cref="CallKey"/>.
/// </summary>
public sealed class ExpertChatCompletionService(ExpertClient client, TimeSpan defaultTimeout) : IChatCompletionService
{
    public const string CallKey = "expertrouter.call";

    /// <summary>Request id for the upstream call, read from the kernel arguments' execution settings when present.</summary>
    public const string RequestIdSetting = "expertrouter_request_id";

    /// <summary>Per-call timeout in milliseconds, read from the execution settings; the gateway's upstream timeout otherwise.</summary>
    public const string TimeoutSetting = "expertrouter_timeout_ms";

    public IReadOnlyDictionary<string, object?> Attributes { get; } = new Dictionary<string, object?>
    {
        ["ModelId"] = client.Expert.Id,
    };

    public async Task<IReadOnlyList<ChatMessageContent>> GetChatMessageContentsAsync(
        ChatHistory chatHistory, PromptExecutionSettings? executionSettings = null, Kernel? kernel = null, CancellationToken cancellationToken = default)
    {
        var messages = new JsonArray();
        foreach (var message in chatHistory)
        {
            messages.Add(new JsonObject { ["role"] = message.Role.Label, ["content"] = message.Content ?? "" });
        }

        var extension = executionSettings?.ExtensionData;
        var requestId = extension?.TryGetValue(RequestIdSetting, out var id) == true ? id?.ToString() ?? "" : "";
        var timeout = extension?.TryGetValue(TimeoutSetting, out var ms) == true && ms is double milliseconds ? TimeSpan.FromMilliseconds(milliseconds) : defaultTimeout;
        var result = await client.CompleteAsync(new JsonObject { ["messages"] = messages }, requestId, timeout, cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            throw new ExpertCallException(result);
        }

        return [new ChatMessageContent(AuthorRole.Assistant, result.Content, client.Expert.Id, metadata: new Dictionary<string, object?> { [CallKey] = result })];
    }

    /// <summary>The final text arrives whole from the expert; SK callers that stream get it as one chunk.</summary>
    public async IAsyncEnumerable<StreamingChatMessageContent> GetStreamingChatMessageContentsAsync(
        ChatHistory chatHistory, PromptExecutionSettings? executionSettings = null, Kernel? kernel = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var messages = await GetChatMessageContentsAsync(chatHistory, executionSettings, kernel, cancellationToken).ConfigureAwait(false);
        foreach (var message in messages)
        {
            yield return new StreamingChatMessageContent(message.Role, message.Content, modelId: message.ModelId, metadata: message.Metadata);
        }
    }
}

/// <summary>A failed expert call surfacing through Semantic Kernel, which reports failures as exceptions.</summary>
public sealed class ExpertCallException(ExpertCallResult result) : Exception($"Expert '{result.Expert.Id}' failed: {result.StatusText}.")
{
    public ExpertCallResult Result { get; } = result;
}
