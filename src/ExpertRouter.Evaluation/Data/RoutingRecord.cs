using System.Text.Json.Serialization;
using ExpertRouter.Core.Routing;

namespace ExpertRouter.Evaluation.Data;

/// <summary>One prompt with the recorded outcome of every model that answered it (schema of ../shared/data/routing).</summary>
public sealed record RoutingRecord
{
    [JsonPropertyName("id")]
    public string Id { get; init; } = "";

    [JsonPropertyName("benchmark")]
    public string Benchmark { get; init; } = "";

    [JsonPropertyName("task")]
    public string Task { get; init; } = "";

    [JsonPropertyName("split")]
    public string Split { get; init; } = "";

    [JsonPropertyName("prompt")]
    public string Prompt { get; init; } = "";

    [JsonPropertyName("reference")]
    public string? Reference { get; init; }

    /// <summary>
    /// The request as a conversation whose last user message is <see cref="Prompt"/>, when a probe built one
    /// (<see cref="Harness.ConversationProbe"/>); never read from or written to data files.
    /// </summary>
    [JsonIgnore]
    public IConversation? Conversation { get; init; }

    /// <summary>Models without a scorable outcome are absent, never null.</summary>
    [JsonPropertyName("outcomes")]
    public IReadOnlyDictionary<string, RecordedOutcome> Outcomes { get; init; } = new Dictionary<string, RecordedOutcome>();
}

public sealed record RecordedOutcome
{
    /// <summary>In [0, 1]; 1 = correct or preferred.</summary>
    [JsonPropertyName("score")]
    public double Score { get; init; }

    [JsonPropertyName("output_tokens_est")]
    public int OutputTokensEst { get; init; }

    [JsonPropertyName("response")]
    public string? Response { get; init; }

    /// <summary>
    /// How much this outcome counts in training (absent: 1). Outcomes read from the gateway's logs carry the weight of
    /// their source (<c>--feedback-weight</c>, <c>--exploration-weight</c>), summed over repeats of the prompt.
    /// </summary>
    [JsonPropertyName("weight")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? Weight { get; init; }

    /// <summary>
    /// The probability, under the logging policy, that this outcome was observed at all (absent: recorded in full, as
    /// benchmarks are). Set on records read from exploration logs; the harness then replays them off-policy, weighting
    /// each observed choice by 1 / propensity (self-normalised).
    /// </summary>
    [JsonPropertyName("propensity")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? Propensity { get; init; }
}
