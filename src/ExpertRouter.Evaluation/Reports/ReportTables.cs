using ExpertRouter.Evaluation.Harness;
using static ExpertRouter.Evaluation.Reports.ReportFormat;

namespace ExpertRouter.Evaluation.Reports;

/// <summary>The report's tables as rows of cells, rendered by both the Markdown and the HTML writer.</summary>
public static class ReportTables
{
    public static readonly string[] RouterHeader =
    [
        "router", "AIQ", "AIQ 95% CI", "cost to match best", "95% CI", "score at best's cost", "max score",
        "APGR", "CPT(50%)", "CPT(80%)", "fallback", "train s", "predict s",
    ];

    /// <summary>Off-policy, every figure is an estimate and says so; "fallback" is the unobserved share, and ESS is added.</summary>
    public static readonly string[] OffPolicyRouterHeader =
    [
        "router", "AIQ (est.)", "cost to match best (est.)", "score at best's cost (est.)", "max score (est.)",
        "unobserved", "ESS", "train s", "predict s",
    ];

    public static readonly string[] ExpertHeader = ["expert", "train mean", "test score", "USD / 1k requests", "role"];

    public static readonly string[] OffPolicyExpertHeader = ["expert", "train mean", "test score (est.)", "USD / 1k requests (est.)", "role"];

    public static IReadOnlyList<string> RouterHeaderFor(PoolEvaluation evaluation) => evaluation.OffPolicy ? OffPolicyRouterHeader : RouterHeader;

    public static IReadOnlyList<string> ExpertHeaderFor(PoolEvaluation evaluation) => evaluation.OffPolicy ? OffPolicyExpertHeader : ExpertHeader;

    public static IEnumerable<string[]> RouterRows(PoolEvaluation evaluation) =>
        evaluation.Routers.Select(r => evaluation.OffPolicy
            ? new[]
            {
                r.Router, F(r.Aiq), Percent(r.CostToMatchBest), F(r.QualityAtBestCost), F(r.Hull.Best.Score),
                Percent(r.FallbackShare), r.EffectiveSampleSize.ToString("F0", System.Globalization.CultureInfo.InvariantCulture),
                Seconds(r.TrainTime), Seconds(r.PredictTime),
            }
            : new[]
            {
                r.Router, F(r.Aiq), Interval(r.AiqInterval), Percent(r.CostToMatchBest), PercentInterval(r.CostToMatchInterval),
                F(r.QualityAtBestCost), F(r.Hull.Best.Score), F(r.Apgr), Percent(r.Cpt50), Percent(r.Cpt80),
                Percent(r.FallbackShare), Seconds(r.TrainTime), Seconds(r.PredictTime),
            });

    public static IEnumerable<string[]> ExpertRows(PoolEvaluation evaluation)
    {
        var singles = evaluation.Singles;
        return singles.Experts
            .Select((e, i) => (e, i))
            .OrderByDescending(x => x.e.Point.Score)
            .Select(x => new[]
            {
                x.e.Expert.Id, F(x.e.TrainMean), F(x.e.Point.Score), Money(x.e.Point.CostPer1K), Role(singles, x.i),
            });
    }

    public static IEnumerable<string[]> SweepRows(RouterEvaluation router) =>
        router.Sweep.Settings.Select(s => new[]
        {
            s.Index.ToString(System.Globalization.CultureInfo.InvariantCulture),
            s.Lambda >= LambdaSchedule.CostOnly ? "∞" : s.Lambda.ToString("G3", System.Globalization.CultureInfo.InvariantCulture),
            Money(s.Point.CostPer1K), F(s.Point.Score),
        });

    private static string Role(SingleExperts singles, int index)
    {
        var roles = new List<string>();
        if (index == singles.BestIndex)
        {
            roles.Add("best single");
        }

        if (index == singles.StrongIndex)
        {
            roles.Add("strong");
        }

        if (index == singles.WeakIndex)
        {
            roles.Add("weak");
        }

        return string.Join(", ", roles);
    }
}
