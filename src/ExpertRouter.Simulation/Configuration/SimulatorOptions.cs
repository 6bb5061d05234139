using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Configuration;

namespace ExpertRouter.Simulation;

/// <summary>
/// Everything the simulated expert server does, bindable from a configuration section named
/// <see cref="SectionName"/>. Defaults apply to every model; <see cref="Models"/> overrides them per model id, and any
/// model name is served (unknown names use the defaults).
/// </summary>
public sealed record SimulatorOptions
{
    public const string SectionName = "Simulator";

    /// <summary>Milliseconds before the first token (and, for non-streaming answers, before the response starts).</summary>
    public int TimeToFirstTokenMs { get; init; }

    /// <summary>Milliseconds between streamed tokens; non-streaming answers wait this long per token in total.</summary>
    public int PerTokenDelayMs { get; init; }

    /// <summary>Shortest generated answer, in tokens (one token is one word).</summary>
    public int MinAnswerTokens { get; init; } = 8;

    /// <summary>Longest generated answer, in tokens.</summary>
    public int MaxAnswerTokens { get; init; } = 48;

    public IReadOnlyDictionary<string, SimulatedModelOptions> Models { get; init; } =
        new Dictionary<string, SimulatedModelOptions>(StringComparer.Ordinal);

    /// <summary>A .jsonl or .jsonl.gz file in the routing-data schema; a known prompt is answered with the recorded response.</summary>
    public string? ReplayDataset { get; init; }

    public int EmbeddingDimensions { get; init; } = 256;

    public IReadOnlyList<FaultRule> Faults { get; init; } = [];

    /// <summary>Seeds both the answer text and the fault dice, so two servers with the same seed behave the same.</summary>
    public int Seed { get; init; }

    /// <summary>Binds the <c>Simulator</c> section of <paramref name="configuration"/>, or the root when it has no such section.</summary>
    public static SimulatorOptions FromConfiguration(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(SectionName);
        IConfiguration source = section.Exists() ? section : configuration;
        return Bind(source);
    }

    /// <summary>
    /// Binds exactly <paramref name="section"/> (defaults when it is empty). Init-only properties are beyond the
    /// binder's source generator, so this is the reflection binder: the natively compiled gateway roots this assembly
    /// and keeps the dictionary type it fills by reflection (GatewayApp.BindOptions).
    /// </summary>
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "This assembly is rooted in the native gateway.")]
    [UnconditionalSuppressMessage("AOT", "IL3050", Justification = "Only reference-type collections are bound.")]
    public static SimulatorOptions Bind(IConfiguration section) => section.Get<SimulatorOptions>() ?? new SimulatorOptions();

    /// <summary>Every problem at once; empty when the options are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        CheckTiming(problems, "Simulator", TimeToFirstTokenMs, PerTokenDelayMs, MinAnswerTokens, MaxAnswerTokens);
        if (EmbeddingDimensions is < 1 or > 65536)
        {
            problems.Add($"Simulator:EmbeddingDimensions must be between 1 and 65536 (was {EmbeddingDimensions}).");
        }

        if (ReplayDataset is { } replay && !File.Exists(replay))
        {
            problems.Add($"Simulator:ReplayDataset '{replay}' does not exist.");
        }

        foreach (var (model, overrides) in Models ?? new Dictionary<string, SimulatedModelOptions>())
        {
            if (string.IsNullOrWhiteSpace(model))
            {
                problems.Add("Simulator:Models has an empty model id.");
            }

            var path = $"Simulator:Models:{model}";
            if (overrides is null)
            {
                problems.Add($"{path} is empty.");
                continue;
            }

            CheckTiming(problems, path, overrides.TimeToFirstTokenMs ?? 0, overrides.PerTokenDelayMs ?? 0,
                overrides.MinAnswerTokens ?? MinAnswerTokens, overrides.MaxAnswerTokens ?? MaxAnswerTokens);
        }

        var faults = Faults ?? [];
        for (var i = 0; i < faults.Count; i++)
        {
            if (faults[i] is null)
            {
                problems.Add($"Simulator:Faults:{i} is empty.");
                continue;
            }

            faults[i].CollectProblems($"Simulator:Faults:{i}", problems);
        }

        return problems;
    }

    private static void CheckTiming(List<string> problems, string path, int ttft, int perToken, int minTokens, int maxTokens)
    {
        if (ttft < 0)
        {
            problems.Add($"{path}:TimeToFirstTokenMs must not be negative (was {ttft}).");
        }

        if (perToken < 0)
        {
            problems.Add($"{path}:PerTokenDelayMs must not be negative (was {perToken}).");
        }

        if (minTokens < 1)
        {
            problems.Add($"{path}:MinAnswerTokens must be at least 1 (was {minTokens}).");
        }

        if (maxTokens < minTokens)
        {
            problems.Add($"{path}:MaxAnswerTokens ({maxTokens}) must not be below MinAnswerTokens ({minTokens}).");
        }
    }
}
