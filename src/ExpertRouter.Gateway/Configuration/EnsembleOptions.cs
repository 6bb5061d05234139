using ExpertRouter.Core.Ensembles;

namespace ExpertRouter.Gateway.Configuration;

/// <summary>One named ensemble, <c>ExpertRouter:Ensembles:&lt;name&gt;</c>, asked for with the model <c>ensemble/&lt;name&gt;</c>.</summary>
public sealed record EnsembleOptions
{
    public EnsembleMode Mode { get; init; } = EnsembleMode.Vote;

    /// <summary>How many of the router's top-ranked experts take part (proposers, voters or cascade steps).</summary>
    public int Size { get; init; } = 3;

    /// <summary>Judge for <see cref="EnsembleMode.Judge"/>, verifier for <see cref="EnsembleMode.Cascade"/>; the top-ranked expert when null (judge only).</summary>
    public string? Judge { get; init; }

    /// <summary>Writes the final answer in <see cref="EnsembleMode.Moa"/>; the top-ranked expert when null.</summary>
    public string? Aggregator { get; init; }

    /// <summary>Fan-out triggers when the router's top two utilities differ by less than this.</summary>
    public double Margin { get; init; } = 0.05;

    /// <summary>Cascade without a judge: accept an expert whose predicted quality reaches this.</summary>
    public double VerifierThreshold { get; init; } = 0.7;

    /// <summary>Longest one expert call may take; a late call counts as failed and the rest are aggregated.</summary>
    public int CallTimeoutSeconds { get; init; } = 60;

    /// <summary>Answer extractor for votes (json-answer, mmlu-letter, last-number).</summary>
    public string Extractor { get; init; } = AnswerExtractors.Default;

    public void CollectProblems(string name, Func<string, bool> expertExists, List<string> problems)
    {
        var path = $"Ensembles:{name}";
        if (string.IsNullOrWhiteSpace(name) || name.Contains('/'))
        {
            problems.Add($"{path}: the ensemble name must be non-empty and contain no '/'.");
        }

        if (Size is < 1 or > 16)
        {
            problems.Add($"{path}:Size must be between 1 and 16 (was {Size}).");
        }

        if (Mode is EnsembleMode.Vote or EnsembleMode.FanOut or EnsembleMode.Judge or EnsembleMode.Moa && Size < 2)
        {
            problems.Add($"{path}:Size must be at least 2 for mode {Mode} (was {Size}).");
        }

        if (double.IsNaN(Margin) || Margin < 0)
        {
            problems.Add($"{path}:Margin must be a non-negative number (was {Margin}).");
        }

        if (double.IsNaN(VerifierThreshold) || VerifierThreshold is < 0 or > 1)
        {
            problems.Add($"{path}:VerifierThreshold must be between 0 and 1 (was {VerifierThreshold}).");
        }

        if (CallTimeoutSeconds < 1)
        {
            problems.Add($"{path}:CallTimeoutSeconds must be at least 1 (was {CallTimeoutSeconds}).");
        }

        if (!AnswerExtractors.TryGet(Extractor, out _))
        {
            problems.Add($"{path}:Extractor '{Extractor}' is not one of {string.Join(", ", AnswerExtractors.BuiltIn.Keys)}.");
        }

        foreach (var (role, expert) in new[] { ("Judge", Judge), ("Aggregator", Aggregator) })
        {
            if (expert is not null && !expertExists(expert))
            {
                problems.Add($"{path}:{role} '{expert}' is not a configured chat expert.");
            }
        }
    }
}
