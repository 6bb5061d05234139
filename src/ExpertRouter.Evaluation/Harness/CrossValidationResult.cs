namespace ExpertRouter.Evaluation.Harness;

/// <summary>Every router's metrics on every fold, and their summaries over folds.</summary>
public sealed record CrossValidationResult(
    string PoolName,
    int Prompts,
    CrossValidationOptions Options,
    IReadOnlyList<string> Routers,
    IReadOnlyList<FoldMetrics> Cells)
{
    public IReadOnlyList<CrossValidationSummary> Summaries() =>
        Routers.Select(r => CrossValidationSummary.Of(r, Cells.Where(c => c.Router == r).OrderBy(c => c.Fold).ToArray())).ToArray();
}

/// <summary>Mean and spread of a metric over folds: the sample standard deviation (n − 1).</summary>
public readonly record struct FoldStatistic(double Mean, double Std)
{
    public static FoldStatistic Of(IReadOnlyList<double> values)
    {
        var finite = values.Where(double.IsFinite).ToArray();
        if (finite.Length == 0)
        {
            return new FoldStatistic(double.NaN, double.NaN);
        }

        var mean = finite.Average();
        var std = finite.Length < 2 ? 0 : Math.Sqrt(finite.Sum(v => (v - mean) * (v - mean)) / (finite.Length - 1));
        return new FoldStatistic(mean, std);
    }
}

/// <summary>
/// One router over all folds. Cost to match counts a fold where the router never reaches the best single expert's
/// score as 100% (sending everything to that expert is the cheapest way to match it), and says how many such folds
/// there were, so a router that never matches cannot look cheap by leaving its failures out.
/// </summary>
public sealed record CrossValidationSummary(
    string Router,
    int Folds,
    FoldStatistic Aiq,
    FoldStatistic QualityAtHalfBestCost,
    FoldStatistic CostToMatchBest,
    int FoldsNeverMatching,
    FoldStatistic Apgr,
    FoldStatistic TrainSeconds)
{
    public static CrossValidationSummary Of(string router, IReadOnlyList<FoldMetrics> folds) => new(
        router,
        folds.Count,
        FoldStatistic.Of(folds.Select(f => f.Aiq).ToArray()),
        FoldStatistic.Of(folds.Select(f => f.QualityAtHalfBestCost).ToArray()),
        FoldStatistic.Of(folds.Select(f => Math.Min(1.0, f.CostToMatchBest ?? 1.0)).ToArray()),
        folds.Count(f => f.CostToMatchBest is null),
        FoldStatistic.Of(folds.Select(f => f.Apgr).ToArray()),
        FoldStatistic.Of(folds.Select(f => f.TrainSeconds).ToArray()));
}
