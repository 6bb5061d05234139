using System.Text.Json.Serialization;

namespace ExpertRouter.Core.Feedback;

/// <summary>
/// One line of the gateway's request/feedback log (JSONL, or one entry of the Redis stream). The gateway writes a
/// <c>request</c> record when a request completes and a <c>feedback</c> record each time a client scores one; the
/// log is append-only, so a request's last feedback wins (<see cref="RequestLogJoin"/>). Records with a score become
/// training data for routers, so a request record keeps the router's own predictions (to measure calibration on live
/// traffic) and, when the tenant's policy says <c>store</c>, the prompt text.
/// </summary>
/// <remarks>
/// The first members are the log's original format and keep their names: readers of older logs (and
/// <c>FeedbackLogImporter</c>) still read it. Everything after <see cref="Score"/> was added with the gateway's writer
/// and is absent when null. A record without <see cref="Kind"/> is a request record.
/// </remarks>
public sealed record RequestLogRecord
{
    public const string RequestKind = "request";
    public const string FeedbackKind = "feedback";

    [JsonPropertyName("ts")]
    public DateTimeOffset Timestamp { get; init; }

    [JsonPropertyName("request_id")]
    public string RequestId { get; init; } = "";

    [JsonPropertyName("tenant")]
    public string Tenant { get; init; } = "";

    /// <summary>The text the router looked at (the last user message); empty unless the tenant's policy stores prompts.</summary>
    [JsonPropertyName("prompt")]
    public string Prompt { get; init; } = "";

    /// <summary>Optional label a client or an offline tagger attached (e.g. "support", "code").</summary>
    [JsonPropertyName("task")]
    public string? Task { get; init; }

    /// <summary>Who answered (for a cache hit: whose stored answer was served). Empty on feedback records.</summary>
    [JsonPropertyName("expert")]
    public string Expert { get; init; } = "";

    [JsonPropertyName("router")]
    public string Router { get; init; } = "";

    /// <summary>The router's predicted P(answers well) for the answering expert; null when it had no opinion.</summary>
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

    /// <summary>User feedback in [0, 1] (1 = good answer): set on feedback records (thumbs up is 1, down is 0).</summary>
    [JsonPropertyName("score")]
    public double? Score { get; init; }

    /// <summary><see cref="RequestKind"/> or <see cref="FeedbackKind"/>; absent in logs older than the field (requests).</summary>
    [JsonPropertyName("kind")]
    public string? Kind { get; init; }

    /// <summary>The serving router's version (a router folder's <c>version</c>, else its content hash); null for built-in routers.</summary>
    [JsonPropertyName("router_version")]
    public string? RouterVersion { get; init; }

    /// <summary><c>chat</c> or <c>embeddings</c>.</summary>
    [JsonPropertyName("endpoint")]
    public string? Endpoint { get; init; }

    /// <summary>The model the client asked for: <c>auto</c>, <c>router/…</c>, <c>ensemble/…</c> or an expert.</summary>
    [JsonPropertyName("model")]
    public string? Model { get; init; }

    [JsonPropertyName("stream")]
    public bool? Stream { get; init; }

    /// <summary>The ensemble that answered, when one did.</summary>
    [JsonPropertyName("ensemble")]
    public string? Ensemble { get; init; }

    /// <summary>The plan's first choice: the router's decision, whoever finally answered.</summary>
    [JsonPropertyName("chosen")]
    public string? Chosen { get; init; }

    /// <summary>Every ranked candidate with the router's prediction and expected cost, best first.</summary>
    [JsonPropertyName("candidates")]
    public IReadOnlyList<LoggedCandidate>? Candidates { get; init; }

    /// <summary>Attempts that failed before the answer (or before giving up), in order.</summary>
    [JsonPropertyName("fallbacks")]
    public IReadOnlyList<LoggedFallback>? Fallbacks { get; init; }

    /// <summary>
    /// Experts the plan left out before any call, with the reason (<c>capacity</c>, <c>latency</c>, <c>not-allowed</c>,
    /// <c>context-too-long</c>, …); absent when none was.
    /// </summary>
    [JsonPropertyName("passed_over")]
    public IReadOnlyList<LoggedFallback>? PassedOver { get; init; }

    /// <summary>The HTTP status the client got.</summary>
    [JsonPropertyName("status")]
    public int? Status { get; init; }

    /// <summary><c>hit</c>, <c>semantic-hit</c>, <c>miss</c> or <c>bypass</c>; absent where the cache is not consulted (embeddings).</summary>
    [JsonPropertyName("cache")]
    public string? Cache { get; init; }

    /// <summary>How the prompt was logged: <c>store</c>, <c>hash</c> or <c>off</c> (the tenant's <c>logging.prompts</c>).</summary>
    [JsonPropertyName("prompt_logging")]
    public string? PromptLogging { get; init; }

    /// <summary>Lower-case hex SHA-256 of the prompt's UTF-8 bytes, with <c>store</c> and <c>hash</c>.</summary>
    [JsonPropertyName("prompt_sha256")]
    public string? PromptSha256 { get; init; }

    /// <summary>What the tenant's shadow router would have chosen, computed after the response.</summary>
    [JsonPropertyName("shadow")]
    public LoggedShadow? Shadow { get; init; }

    /// <summary>Set when the request was sampled for exploration: the probability it had of being sampled.</summary>
    [JsonPropertyName("exploration_rate")]
    public double? ExplorationRate { get; init; }

    /// <summary>Feedback records: <c>up</c> or <c>down</c> when the client gave thumbs instead of a score.</summary>
    [JsonPropertyName("thumbs")]
    public string? Thumbs { get; init; }

    /// <summary>Feedback records: the client's comment (dropped when the tenant's prompts are <c>off</c>).</summary>
    [JsonPropertyName("comment")]
    public string? Comment { get; init; }

    /// <summary>Feedback records: what the score measures, when the client said (e.g. <c>correctness</c>).</summary>
    [JsonPropertyName("metric")]
    public string? Metric { get; init; }
}

/// <summary>One candidate of a routed request: the router's predicted quality (null: no opinion) and expected cost.</summary>
public sealed record LoggedCandidate(
    [property: JsonPropertyName("expert")] string Expert,
    [property: JsonPropertyName("predicted_quality")] double? PredictedQuality,
    [property: JsonPropertyName("expected_cost_usd")] double ExpectedCostUsd);

/// <summary>An attempt that failed, and why (as <c>x-expertrouter-fallbacks</c> says it).</summary>
public sealed record LoggedFallback(
    [property: JsonPropertyName("expert")] string Expert,
    [property: JsonPropertyName("reason")] string Reason);

/// <summary>A shadow router's choice for the same candidates under the same cost policy, beside the serving router's.</summary>
public sealed record LoggedShadow(
    [property: JsonPropertyName("router")] string Router,
    [property: JsonPropertyName("router_version")] string? RouterVersion,
    [property: JsonPropertyName("chosen")] string Chosen,
    [property: JsonPropertyName("predicted_quality")] double? PredictedQuality,
    [property: JsonPropertyName("expected_cost_usd")] double ExpectedCostUsd,
    [property: JsonPropertyName("agrees")] bool Agrees);
