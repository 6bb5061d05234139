using System.Text.Json.Serialization;

namespace ExpertRouter.Core.Feedback;

/// <summary>
/// One explored request, in the schema of the shared routing data (<c>RoutingRecord</c>: id, benchmark, task, split,
/// prompt, reference, outcomes) so the harness and the trainer read it as they read recorded benchmarks. The served
/// answer and the explored ones are all scored by the tenant's judge; an expert without a score is absent. The members
/// after <see cref="Outcomes"/> say where the record came from and how likely it was to be taken (for off-policy
/// estimates); readers of plain routing records ignore them.
/// </summary>
public sealed record ExplorationRecord
{
    public const string BenchmarkName = "exploration";

    [JsonPropertyName("id")]
    public string Id { get; init; } = "";

    [JsonPropertyName("benchmark")]
    public string Benchmark { get; init; } = BenchmarkName;

    /// <summary>The tenant id, as the feedback importer labels its records.</summary>
    [JsonPropertyName("task")]
    public string Task { get; init; } = "";

    [JsonPropertyName("split")]
    public string Split { get; init; } = "";

    /// <summary>Empty unless the tenant's policy stores prompts.</summary>
    [JsonPropertyName("prompt")]
    public string Prompt { get; init; } = "";

    /// <summary>The request's <c>metadata.reference</c>, which the judge compared answers with (only when prompts are stored).</summary>
    [JsonPropertyName("reference")]
    public string? Reference { get; init; }

    [JsonPropertyName("outcomes")]
    public IReadOnlyDictionary<string, ExplorationOutcome> Outcomes { get; init; } = new Dictionary<string, ExplorationOutcome>();

    /// <summary>The probability that this request was sampled for exploration (the tenant's rate).</summary>
    [JsonPropertyName("sampling_probability")]
    public double SamplingProbability { get; init; }

    /// <summary>
    /// The probability that an explored expert was picked among the eligible candidates (k of n, uniformly); when some
    /// were picked first because the router could not score them or learned them from few prompts, the lowest of
    /// <see cref="SelectionProbabilities"/>.
    /// </summary>
    [JsonPropertyName("selection_probability")]
    public double SelectionProbability { get; init; }

    /// <summary>Each explored expert's probability of having been picked; absent in records written before it existed.</summary>
    [JsonPropertyName("selection_probabilities")]
    public IReadOnlyDictionary<string, double>? SelectionProbabilities { get; init; }

    [JsonPropertyName("ts")]
    public DateTimeOffset Timestamp { get; init; }

    [JsonPropertyName("tenant")]
    public string Tenant { get; init; } = "";

    [JsonPropertyName("request_id")]
    public string RequestId { get; init; } = "";

    /// <summary>The expert whose answer the client got.</summary>
    [JsonPropertyName("served")]
    public string Served { get; init; } = "";

    [JsonPropertyName("router")]
    public string Router { get; init; } = "";

    [JsonPropertyName("router_version")]
    public string? RouterVersion { get; init; }

    [JsonPropertyName("judge")]
    public string Judge { get; init; } = "";

    /// <summary><c>rubric</c>, or <c>reference</c> when the judge compared answers with the request's reference.</summary>
    [JsonPropertyName("judged_by")]
    public string JudgedBy { get; init; } = "";

    [JsonPropertyName("prompt_sha256")]
    public string? PromptSha256 { get; init; }

    /// <summary>What the exploration calls and the judge's calls cost the tenant.</summary>
    [JsonPropertyName("cost_usd")]
    public double CostUsd { get; init; }
}

/// <summary>One expert's answer to an explored prompt: the judge's score, its length, and the text when prompts are stored.</summary>
public sealed record ExplorationOutcome
{
    [JsonPropertyName("score")]
    public double Score { get; init; }

    [JsonPropertyName("output_tokens_est")]
    public int OutputTokensEst { get; init; }

    [JsonPropertyName("response")]
    public string? Response { get; init; }
}
