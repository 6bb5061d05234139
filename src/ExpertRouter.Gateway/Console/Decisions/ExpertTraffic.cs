using ExpertRouter.Gateway.Invocation;

namespace ExpertRouter.Gateway.Console.Decisions;

/// <summary>
/// Each expert's share of recent traffic: requests it answered, attempts that failed on it (and ones skipped because
/// its circuit was open or it had no healthy destination), the upstream latency of its answers and what they cost.
/// </summary>
public sealed record ExpertTraffic(string Expert, int Answered, int Failed, int Skipped, int ServerErrors, double P50UpstreamMs, double P99UpstreamMs, double SpendUsd)
{
    /// <summary>Failed attempts and 5xx answers over every attempt that was sent.</summary>
    public double ErrorRate => Answered + Failed == 0 ? double.NaN : (Failed + ServerErrors) / (double)(Answered + Failed);

    public static IReadOnlyDictionary<string, ExpertTraffic> Compute(IEnumerable<Decision> decisions)
    {
        var answered = new Dictionary<string, List<Decision>>(StringComparer.Ordinal);
        var failed = new Dictionary<string, int>(StringComparer.Ordinal);
        var skipped = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var decision in decisions)
        {
            if (decision.Answered is { } score && decision.Ensemble is null)
            {
                Add(answered, score.Expert.Id).Add(decision);
            }

            foreach (var attempt in decision.Failed)
            {
                var counts = attempt.Skipped ? skipped : failed;
                counts[attempt.Expert] = counts.GetValueOrDefault(attempt.Expert) + 1;
            }
        }

        return answered.Keys.Concat(failed.Keys).Concat(skipped.Keys).Distinct(StringComparer.Ordinal).ToDictionary(id => id, id =>
        {
            var mine = answered.GetValueOrDefault(id) ?? [];
            var upstream = mine.Select(d => d.UpstreamMs).ToArray();
            return new ExpertTraffic(id, mine.Count, failed.GetValueOrDefault(id), skipped.GetValueOrDefault(id), mine.Count(d => d.IsError),
                TrafficStats.Percentile(upstream, 0.50), TrafficStats.Percentile(upstream, 0.99), mine.Sum(d => d.CostUsd));
        }, StringComparer.Ordinal);
    }

    private static List<Decision> Add(Dictionary<string, List<Decision>> lists, string key)
    {
        if (!lists.TryGetValue(key, out var list))
        {
            lists[key] = list = [];
        }

        return list;
    }
}

/// <summary>A router's recent decisions and the feedback clients sent on them.</summary>
public sealed record RouterTraffic(string Router, int Decisions, double MeanPredictedQuality, double MeanExpectedCostUsd, double MeanCostUsd, int Scored, double MeanScore)
{
    public double FeedbackRate => Decisions == 0 ? double.NaN : Scored / (double)Decisions;

    /// <summary>Per router over the decisions given; a score counts for the decision with its tenant and request id (the last score wins).</summary>
    public static IReadOnlyList<RouterTraffic> Compute(IReadOnlyList<Decision> decisions, IReadOnlyList<FeedbackScore> newestFeedbackFirst)
    {
        var scores = new Dictionary<(string Tenant, string Request), double>();
        foreach (var feedback in newestFeedbackFirst)
        {
            scores.TryAdd((feedback.TenantId, feedback.RequestId), feedback.Score);
        }

        return [.. decisions.Where(d => d.Router is not null && d.Parsed).GroupBy(d => d.Router!, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g =>
        {
            var chosen = g.Where(d => d.Chosen is not null).Select(d => d.Chosen!.Value).ToList();
            var quality = chosen.Select(c => c.PredictedQuality).Where(double.IsFinite).ToList();
            var scored = g.Where(d => d.TenantId is not null && d.RequestId is not null)
                .Select(d => scores.TryGetValue((d.TenantId!, d.RequestId!), out var score) ? score : double.NaN)
                .Where(double.IsFinite).ToList();
            return new RouterTraffic(g.Key, g.Count(), quality.Count == 0 ? double.NaN : quality.Average(),
                chosen.Count == 0 ? double.NaN : chosen.Average(c => c.ExpectedCostUsd), g.Average(d => d.CostUsd),
                scored.Count, scored.Count == 0 ? double.NaN : scored.Average());
        })];
    }
}
