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

        // One pass over the members: an expert's usage can carry many, and each lookup by name scans them all.
        JsonElement input = default, output = default, total = default, prompt = default, completion = default;
        foreach (var member in usage.EnumerateObject())
        {
            var name = RequestFields.Name(member);
            if (name.SequenceEqual("prompt_tokens"u8))
            {
                input = member.Value;
            }
            else if (name.SequenceEqual("completion_tokens"u8))
            {
                output = member.Value;
            }
            else if (name.SequenceEqual("total_tokens"u8))
            {
                total = member.Value;
            }
            else if (name.SequenceEqual("prompt_tokens_details"u8))
            {
                prompt = member.Value;
            }
            else if (name.SequenceEqual("completion_tokens_details"u8))
            {
                completion = member.Value;
            }
        }

        var inputCount = Count(input);
        var outputCount = Count(output);
        return new TokenUsage(
            inputCount,
            outputCount,
            total.ValueKind == JsonValueKind.Number ? Count(total) : inputCount + outputCount,
            prompt.ValueKind == JsonValueKind.Object && prompt.TryGetProperty("cached_tokens", out var cached) ? Count(cached) : 0,
            completion.ValueKind == JsonValueKind.Object && completion.TryGetProperty("reasoning_tokens", out var reasoning) ? Count(reasoning) : 0);
    }

    private static int Count(JsonElement value) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var count) ? count : 0;
}
