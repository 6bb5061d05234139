using System.Text.Json.Serialization;

namespace ExpertRouter.Simulation;

/// <summary>The fields of a routing-data line (schema of ../shared/data/routing) that replay needs.</summary>
internal sealed class ReplayLine
{
    [JsonPropertyName("prompt")]
    public string? Prompt { get; set; }

    [JsonPropertyName("outcomes")]
    public Dictionary<string, ReplayOutcome>? Outcomes { get; set; }
}

internal sealed class ReplayOutcome
{
    [JsonPropertyName("score")]
    public double? Score { get; set; }

    [JsonPropertyName("output_tokens_est")]
    public int OutputTokensEst { get; set; }

    [JsonPropertyName("response")]
    public string? Response { get; set; }
}
