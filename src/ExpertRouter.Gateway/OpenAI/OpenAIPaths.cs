namespace ExpertRouter.Gateway.OpenAI;

/// <summary>The OpenAI routes the gateway serves, as clients call them and (without <c>/v1</c>) as experts are called.</summary>
public static class OpenAIPaths
{
    public const string ChatCompletions = "/v1/chat/completions";
    public const string Embeddings = "/v1/embeddings";

    /// <summary>Below an expert's base URL: OpenAI's Responses API, for experts that speak it natively.</summary>
    public const string UpstreamResponses = "/responses";

    /// <summary>Below an expert's base URL: Anthropic Messages (whose base URLs end in <c>/v1</c> as well).</summary>
    public const string UpstreamMessages = "/messages";

    /// <summary>The path below an expert's base URL (which ends in <c>/v1</c>, like OpenAI's) for an endpoint.</summary>
    public static string Upstream(OpenAIEndpoint endpoint) => endpoint == OpenAIEndpoint.Embeddings ? "/embeddings" : "/chat/completions";
}
