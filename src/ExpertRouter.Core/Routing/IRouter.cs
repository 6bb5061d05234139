using ExpertRouter.Core.Caching;
using ExpertRouter.Core.Experts;

namespace ExpertRouter.Core.Routing;

/// <summary>
/// A named routing strategy. It only predicts how likely each candidate is to answer well; turning that into a
/// choice is <see cref="CostAwareRanking"/>'s job, so the same router serves every cost policy.
/// </summary>
public interface IRouter
{
    string Name { get; }

    /// <summary>
    /// Writes into <paramref name="quality"/> (same order as <paramref name="candidates"/>) the predicted probability,
    /// in [0, 1], that each candidate answers <paramref name="query"/> well; <see cref="double.NaN"/> where the router
    /// knows nothing of that expert.
    /// </summary>
    ValueTask EstimateQualityAsync(
        RoutingQuery query,
        IReadOnlyList<ExpertDefinition> candidates,
        Memory<double> quality,
        CancellationToken cancellationToken);
}

/// <summary>
/// What a router may look at: the prompt text (the last user message), the whole conversation when the request has
/// one, and, for diagnostics only, a known task label.
/// </summary>
public sealed record RoutingQuery
{
    private string? _prompt;

    public RoutingQuery(string prompt) => _prompt = prompt;

    /// <summary>
    /// A query over a request's conversation: <see cref="Prompt"/> is its last user message, built only if a router
    /// reads it (a router that reads through <see cref="Messages"/> may read only part of a long one).
    /// </summary>
    public RoutingQuery(IConversation conversation) => Conversation = conversation;

    /// <summary>The last user message ("" when there is none).</summary>
    public string Prompt => _prompt ??= LastUserText(Conversation!);

    public string? Id { get; init; }

    public string? Task { get; init; }

    /// <summary>
    /// The request's embeddings: a router that embeds the prompt with a sentence encoder takes (and leaves) its vector
    /// here, so a semantic cache on the same encoder reuses it. Null outside a request (offline evaluation).
    /// </summary>
    public PromptEmbeddings? Embeddings { get; init; }

    /// <summary>Every message of the request; null when the request is only <see cref="Prompt"/>.</summary>
    public IConversation? Conversation { get; init; }

    /// <summary>What a router reads: the conversation, or the prompt as one user message.</summary>
    public IConversation Messages => Conversation ?? new SingleUserMessage(Prompt);

    private static string LastUserText(IConversation conversation)
    {
        for (var i = conversation.Count - 1; i >= 0; i--)
        {
            if (conversation.RoleAt(i) == ConversationRole.User)
            {
                return conversation.TextAt(i);
            }
        }

        return "";
    }
}
