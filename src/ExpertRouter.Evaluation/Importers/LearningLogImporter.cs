using System.Security.Cryptography;
using System.Text;
using ExpertRouter.Core.Feedback;
using ExpertRouter.Evaluation.Data;

namespace ExpertRouter.Evaluation.Importers;

/// <summary>
/// How much each kind of logged outcome counts in training (0 leaves that kind out). An explored request's judge scores
/// count <see cref="Exploration"/> times the inverse of the rate it was sampled at (<see cref="ExplorationWeightOf"/>):
/// a request explored at rate 0.2 stands for the five requests it was drawn from, and is the only unbiased look at the
/// experts the router did not choose, whereas feedback scores only the router's own choice. Counted once, the explored
/// outcomes were outvoted by the served expert's feedback: over five folds of the learning loop (evals/README.md) the
/// learned router got 91.7% of the offline router's gain at weight 1 and 94.5% at the inverse rate.
/// </summary>
public sealed record LogWeights(double Feedback = 1, double Exploration = 1)
{
    /// <summary>The largest factor a low sampling rate gives an explored request, so a handful cannot swamp the log.</summary>
    public const double MaxInverseSamplingRate = 10;

    public static LogWeights Default { get; } = new();

    /// <summary>The weight of the judge scores of a request explored at <paramref name="samplingProbability"/> (unknown: 0 or less counts once).</summary>
    public double ExplorationWeightOf(double samplingProbability) =>
        samplingProbability > 0 ? Exploration * Math.Min(1 / samplingProbability, MaxInverseSamplingRate) : Exploration;

    public override string ToString() =>
        $"feedback weight {Feedback}, exploration weight {Exploration} × 1/sampling rate (at most ×{MaxInverseSamplingRate})";

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Feedback is < 0 or double.NaN || Exploration is < 0 or double.NaN)
        {
            errors.Add($"log weights must be 0 or more (feedback {Feedback}, exploration {Exploration}).");
        }

        if (Feedback == 0 && Exploration == 0)
        {
            errors.Add("the feedback and exploration weights are both 0, so nothing in the log would count.");
        }

        return errors;
    }
}

/// <summary>What a log held, and how much of it could become routing records.</summary>
public sealed record LogImportSummary
{
    public int Requests { get; init; }

    /// <summary>Request records with a score (their last feedback), whatever their prompt logging.</summary>
    public int Scored { get; init; }

    public int FeedbackUsed { get; init; }

    public int Explorations { get; init; }

    public int ExplorationsUsed { get; init; }

    /// <summary>Scored requests and explorations whose tenant logs no prompt text (<c>logging.prompts</c> hash or off).</summary>
    public int WithoutPrompt { get; init; }

    public int Unreadable { get; init; }

    public int Prompts { get; init; }

    public int Outcomes { get; init; }

    public override string ToString() =>
        $"{Prompts} prompts, {Outcomes} outcomes from {FeedbackUsed} of {Scored} scored requests ({Requests} requests logged) " +
        $"and {ExplorationsUsed} of {Explorations} exploration records" +
        (WithoutPrompt > 0 ? $"; {WithoutPrompt} left out because their tenant logs no prompt text (logging.prompts: store is needed)" : "") +
        (Unreadable > 0 ? $"; {Unreadable} unreadable lines skipped" : "");
}

/// <summary>
/// Turns the gateway's log into routing records, the log being the source of truth: a request's score is its last
/// feedback (<see cref="RequestLogJoin"/>), and every explored answer's judge score is an outcome.
/// <list type="bullet">
/// <item><see cref="Training"/>: one record per prompt text (id <c>lg-</c> + 16 hex digits of its SHA-256), each
/// (prompt, expert) pair the weighted mean of its logged scores, weighted by the sum of its sources' weights (an
/// explored request's by its sampling rate, <see cref="LogWeights.ExplorationWeightOf"/>).</item>
/// <item><see cref="Test"/>: one record per exploration record, each outcome with its propensity (the chance it was
/// observed: the sampling rate for the served expert, times the selection probability for an explored one), for
/// off-policy estimates. Feedback is left out there: it scores only the router's own choice, which was not randomised.</item>
/// </list>
/// Both assign the split by prompt (the shared data's rule over <c>log:lg-…</c>), so <c>log:DIR:train</c> and
/// <c>log:DIR:test</c> never share a prompt.
/// </summary>
public static class LearningLogImporter
{
    public const string Benchmark = "log";

    public static (IReadOnlyList<RoutingRecord> Records, LogImportSummary Summary) Training(LearningLog log, LogWeights weights)
    {
        var groups = new Dictionary<string, Group>(StringComparer.Ordinal);
        var withoutPrompt = 0;
        var scored = RequestLogJoin.Scored(log.Requests).Where(IsScoredAnswer).ToArray();
        var feedbackUsed = 0;
        if (weights.Feedback > 0)
        {
            foreach (var request in scored)
            {
                if (request.Prompt.Length == 0)
                {
                    withoutPrompt++;
                    continue;
                }

                GroupOf(groups, request.Prompt, request.Task ?? request.Tenant, null)
                    .Add(request.Expert, request.Score!.Value, request.OutputTokens ?? 0, weights.Feedback);
                feedbackUsed++;
            }
        }

        var explorationsUsed = 0;
        if (weights.Exploration > 0)
        {
            foreach (var exploration in log.Explorations.Where(e => e.Outcomes.Count > 0))
            {
                if (exploration.Prompt.Length == 0)
                {
                    withoutPrompt++;
                    continue;
                }

                var group = GroupOf(groups, exploration.Prompt, exploration.Task, exploration.Reference);
                foreach (var (expert, outcome) in exploration.Outcomes)
                {
                    group.Add(expert, outcome.Score, outcome.OutputTokensEst, weights.ExplorationWeightOf(exploration.SamplingProbability));
                }

                explorationsUsed++;
            }
        }

        var records = groups.Values.Select(g => g.ToRecord()).ToArray();
        return (records, new LogImportSummary
        {
            Requests = log.Requests.Count(r => r.Kind != RequestLogRecord.FeedbackKind),
            Scored = scored.Length,
            FeedbackUsed = feedbackUsed,
            Explorations = log.Explorations.Count,
            ExplorationsUsed = explorationsUsed,
            WithoutPrompt = withoutPrompt,
            Unreadable = log.Unreadable,
            Prompts = records.Length,
            Outcomes = records.Sum(r => r.Outcomes.Count),
        });
    }

    public static IReadOnlyList<RoutingRecord> Test(LearningLog log) =>
        [.. log.Explorations
            .Where(e => e.Prompt.Length > 0 && e.Outcomes.Count > 0 && e.SamplingProbability > 0 && e.SelectionProbability > 0)
            .Select(e => new RoutingRecord
            {
                Id = e.Id,
                Benchmark = Benchmark,
                Task = e.Task,
                Split = SplitOf(e.Prompt),
                Prompt = e.Prompt,
                Reference = e.Reference,
                Outcomes = e.Outcomes.ToDictionary(
                    o => o.Key,
                    o => new RecordedOutcome
                    {
                        Score = Math.Clamp(o.Value.Score, 0, 1),
                        OutputTokensEst = o.Value.OutputTokensEst,
                        Propensity = o.Key == e.Served
                            ? e.SamplingProbability
                            : e.SamplingProbability * (e.SelectionProbabilities?.TryGetValue(o.Key, out var picked) == true ? picked : e.SelectionProbability),
                    },
                    StringComparer.Ordinal),
            })];

    /// <summary>The id a prompt's record has: <c>lg-</c> and 16 hex digits of the SHA-256 of its UTF-8 bytes.</summary>
    public static string IdOf(string prompt) => "lg-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(prompt)))[..16];

    public static string SplitOf(string prompt) => ImportRules.SplitOf(Benchmark, IdOf(prompt));

    /// <summary>An answer a client scored: a single expert's (ensembles and refusals taught nothing about one expert).</summary>
    private static bool IsScoredAnswer(RequestLogRecord record) =>
        record.Score is not null && record.Expert.Length > 0 && record.Ensemble is null
        && record.Status is null or 200 && record.Endpoint is null or "chat";

    private static Group GroupOf(Dictionary<string, Group> groups, string prompt, string task, string? reference)
    {
        if (!groups.TryGetValue(prompt, out var group))
        {
            groups[prompt] = group = new Group(prompt, task);
        }

        group.Reference ??= reference;
        return group;
    }

    private sealed class Group(string prompt, string task)
    {
        private readonly Dictionary<string, (double Weight, double Score, double TokenWeight, double Tokens)> _experts = new(StringComparer.Ordinal);

        public string? Reference { get; set; }

        public void Add(string expert, double score, int tokens, double weight)
        {
            var (w, s, tw, t) = _experts.GetValueOrDefault(expert);
            // A log line without a token count says nothing about the answer's length.
            _experts[expert] = (w + weight, s + (weight * Math.Clamp(score, 0, 1)), tokens > 0 ? tw + weight : tw, t + (weight * tokens));
        }

        public RoutingRecord ToRecord()
        {
            var id = IdOf(prompt);
            return new RoutingRecord
            {
                Id = id,
                Benchmark = Benchmark,
                Task = task,
                Split = ImportRules.SplitOf(Benchmark, id),
                Prompt = prompt,
                Reference = Reference,
                Outcomes = _experts.ToDictionary(
                    e => e.Key,
                    e => new RecordedOutcome
                    {
                        Score = e.Value.Score / e.Value.Weight,
                        OutputTokensEst = e.Value.TokenWeight > 0 ? (int)Math.Round(e.Value.Tokens / e.Value.TokenWeight) : 0,
                        Weight = e.Value.Weight,
                    },
                    StringComparer.Ordinal),
            };
        }
    }
}
