using System.Text.Json.Serialization;

namespace ExpertRouter.Core.Feedback;

/// <summary>
/// One line of the gateway's request/feedback log (JSONL). The gateway writes it when a request completes; a later
/// feedback call may add <see cref="Score"/>. Records with a score become training data for routers, so the log keeps
/// the prompt text and the router's own prediction (to measure calibration on live traffic).
/// </summary>
public sealed record RequestLogRecord
{
    [JsonPropertyName("ts")]
    public DateTimeOffset Timestamp { get; init; }

    [JsonPropertyName("request_id")]
    public string RequestId { get; init; } = "";

    [JsonPropertyName("tenant")]
    public string Tenant { get; init; } = "";

    [JsonPropertyName("prompt")]
    public string Prompt { get; init; } = "";

    /// <summary>Optional label a client or an offline tagger attached (e.g. "support", "code").</summary>
    [JsonPropertyName("task")]
    public string? Task { get; init; }

    [JsonPropertyName("expert")]
    public string Expert { get; init; } = "";

    [JsonPropertyName("router")]
    public string Router { get; init; } = "";

    /// <summary>The router's predicted P(answers well) for the chosen expert; null when it had no opinion.</summary>
    [JsonPropertyName("predicted_quality")]
    public double? PredictedQuality { get; init; }

    [JsonPropertyName("prompt_tokens")]
    public int? PromptTokens { get; init; }

    [JsonPropertyName("output_tokens")]
    public int? OutputTokens { get; init; }

    [JsonPropertyName("cost_usd")]
    public double CostUsd { get; init; }

    [JsonPropertyName("latency_ms")]
    public double LatencyMs { get; init; }

    /// <summary>User feedback in [0, 1] (1 = good answer); null until feedback arrives.</summary>
    [JsonPropertyName("score")]
    public double? Score { get; init; }
}
