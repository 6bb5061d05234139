using System.Globalization;
using ExpertRouter.Core.Experts;
using ExpertRouter.Core.OpenAI;
using ExpertRouter.Gateway.OpenAI;

namespace ExpertRouter.Gateway.Routing;

/// <summary>Whether an expert can take a request at all: the endpoint, tools, and the prompt's size against its context.</summary>
public static class ExpertFit
{
    public static bool Serves(ExpertDefinition expert, OpenAIRequest request) =>
        (request.Endpoint == OpenAIEndpoint.Embeddings ? expert.Capabilities.Embeddings : expert.Capabilities.Chat)
        && (!request.UsesTools || expert.Capabilities.Tools)
        && (request.Choices == 1 || expert.Capabilities.MultipleChoices);

    public static bool Fits(ExpertDefinition expert, OpenAIRequest request) => request.PromptTokens <= expert.Capabilities.ContextTokens;

    public static string Needs(OpenAIRequest request) =>
        $"{(request.Endpoint == OpenAIEndpoint.Embeddings ? "embeddings" : "chat")}"
        + (request.UsesTools ? ", tools" : "")
        + (request.Choices > 1 ? $", n = {request.Choices}" : "")
        + $", about {request.PromptTokens} prompt tokens";

    /// <summary>OpenAI's answer to a prompt longer than the model's context window.</summary>
    public static ApiError ContextLengthExceeded(OpenAIRequest request, int contextTokens) => ApiError.InvalidRequest(
        string.Create(CultureInfo.InvariantCulture,
            $"This request has about {request.PromptTokens} prompt tokens, more than the largest context window your key may use ({contextTokens} tokens). Shorten the messages."),
        request.Endpoint == OpenAIEndpoint.Embeddings ? "input" : "messages",
        "context_length_exceeded");
}
