using System.Text.Json;

namespace ExpertRouter.Gateway.Protocols;

/// <summary>An expert's chat <c>usage</c>, in the terms every client protocol reports.</summary>
public sealed record TokenUsage(int InputTokens, int OutputTokens, int TotalTokens, int CachedInputTokens = 0, int ReasoningTokens = 0)
{
    /// <summary>Reads chat's <c>usage</c> object; null when it is absent or not an object.</summary>
    public static TokenUsage? Read(JsonElement usage)
    {
        if (usage.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var input = Count(usage, "prompt_tokens");
        var output = Count(usage, "completion_tokens");
        var total = usage.TryGetProperty("total_tokens", out var t) && t.ValueKind == JsonValueKind.Number ? Count(usage, "total_tokens") : input + output;
        var cached = usage.TryGetProperty("prompt_tokens_details", out var prompt) ? Count(prompt, "cached_tokens") : 0;
        var reasoning = usage.TryGetProperty("completion_tokens_details", out var completion) ? Count(completion, "reasoning_tokens") : 0;
        return new TokenUsage(input, output, total, cached, reasoning);
    }

    private static int Count(JsonElement owner, string name) =>
        owner.ValueKind == JsonValueKind.Object && owner.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number
            && value.TryGetInt32(out var count)
            ? count
            : 0;
}
