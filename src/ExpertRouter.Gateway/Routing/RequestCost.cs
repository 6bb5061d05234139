using ExpertRouter.Core.Experts;
using ExpertRouter.Gateway.OpenAI;

namespace ExpertRouter.Gateway.Routing;

/// <summary>What a request may cost at most with a given expert: its prompt plus the most output it allows, once per answer asked for (<c>n</c>).</summary>
internal static class RequestCost
{
    public static int MaxOutputTokens(OpenAIRequest request, ExpertDefinition expert, int defaultMaxOutputTokens) =>
        request.Endpoint == OpenAIEndpoint.Embeddings
            ? 0
            : request.Choices * Math.Max(1, Math.Min(request.MaxOutputTokens ?? defaultMaxOutputTokens, expert.Capabilities.ContextTokens - request.PromptTokens));

    public static double MaxCostUsd(OpenAIRequest request, ExpertDefinition expert, int defaultMaxOutputTokens) =>
        expert.CostUsd(request.PromptTokens, MaxOutputTokens(request, expert, defaultMaxOutputTokens));

    /// <summary>Used when an expert answered without usage (a client that left mid-stream): its typical length.</summary>
    public static double ExpectedCostUsd(OpenAIRequest request, ExpertDefinition expert) =>
        expert.CostUsd(request.PromptTokens, request.Endpoint == OpenAIEndpoint.Embeddings ? 0 : request.Choices * expert.ExpectedOutputTokens);
}
