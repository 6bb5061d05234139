using ExpertRouter.Core.Experts;
using ExpertRouter.Evaluation.Data;

namespace ExpertRouter.Evaluation.Harness;

/// <summary>
/// Test prompts × pool experts as flat row-major arrays: the recorded score and realised cost (NaN where the expert
/// has no outcome) and the cost a router expects before answering (from <see cref="ExpertDefinition.ExpectedOutputTokens"/>).
/// When any outcome carries a <see cref="RecordedOutcome.Propensity"/> (records read from exploration logs), the table
/// is <see cref="OffPolicy"/>: the harness estimates instead of replaying (<see cref="OffPolicyEstimator"/>).
/// </summary>
public sealed class OutcomeTable
{
    public OutcomeTable(IReadOnlyList<RoutingRecord> records, IReadOnlyList<ExpertDefinition> experts)
    {
        Records = records;
        Experts = experts;
        var cells = records.Count * experts.Count;
        Score = new double[cells];
        RealisedCostUsd = new double[cells];
        ExpectedCostUsd = new double[cells];
        Propensity = new double[cells];
        PromptTokens = new int[records.Count];
        for (var p = 0; p < records.Count; p++)
        {
            var tokens = TokenEstimate.FromText(records[p].Prompt);
            PromptTokens[p] = tokens;
            for (var e = 0; e < experts.Count; e++)
            {
                var cell = p * experts.Count + e;
                var expert = experts[e];
                ExpectedCostUsd[cell] = expert.CostUsd(tokens, expert.ExpectedOutputTokens);
                if (records[p].Outcomes.TryGetValue(expert.Id, out var outcome))
                {
                    Score[cell] = outcome.Score;
                    RealisedCostUsd[cell] = expert.CostUsd(tokens, outcome.OutputTokensEst);
                    // An outcome without a propensity was recorded for certain (a benchmark's).
                    Propensity[cell] = outcome.Propensity ?? 1;
                    OffPolicy |= outcome.Propensity is not null;
                }
                else
                {
                    Score[cell] = double.NaN;
                    RealisedCostUsd[cell] = double.NaN;
                    Propensity[cell] = double.NaN;
                }
            }
        }
    }

    public IReadOnlyList<RoutingRecord> Records { get; }

    public IReadOnlyList<ExpertDefinition> Experts { get; }

    public int PromptCount => Records.Count;

    public int ExpertCount => Experts.Count;

    public double[] Score { get; }

    public double[] RealisedCostUsd { get; }

    public double[] ExpectedCostUsd { get; }

    public int[] PromptTokens { get; }

    /// <summary>The probability that each observed outcome was observed (1 for recorded data; NaN where none was).</summary>
    public double[] Propensity { get; }

    /// <summary>True when the outcomes are logged bandit feedback: metrics are off-policy estimates, not replays.</summary>
    public bool OffPolicy { get; }

    public bool HasOutcome(int prompt, int expert) => !double.IsNaN(Score[prompt * ExpertCount + expert]);

    public double MeanPromptTokens => PromptTokens.Length == 0 ? 0 : PromptTokens.Average();
}
