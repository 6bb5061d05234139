namespace ExpertRouter.Core.Experts;

/// <summary>The names an expert's <see cref="ExpertDefinition.Apis"/> may list, as configured.</summary>
public static class ExpertApis
{
    /// <summary>OpenAI chat completions: what every expert speaks.</summary>
    public const string Chat = "chat";

    /// <summary>OpenAI's Responses API (<c>POST {base}/responses</c>).</summary>
    public const string Responses = "responses";

    /// <summary>Anthropic Messages (<c>POST {base}/messages</c>, <c>x-api-key</c> and <c>anthropic-version</c> headers).</summary>
    public const string Anthropic = "anthropic";

    public static IReadOnlyList<string> All { get; } = [Chat, Responses, Anthropic];

    public static bool IsKnown(string api) => All.Contains(api, StringComparer.OrdinalIgnoreCase);
}
