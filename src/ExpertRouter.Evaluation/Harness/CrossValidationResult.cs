namespace ExpertRouter.Evaluation.Harness;

/// <summary>Every router's metrics on every fold, and their summaries over folds.</summary>
public sealed record CrossValidationResult(
    string PoolName,
    int Prompts,
    CrossValidationOptions Options,
    IReadOnlyList<string> Routers,
    IReadOnlyList<FoldMetrics> Cells)
{
    /// <summary>The learned baselines a new router has to beat (the floor and ceiling routers are not among them).</summary>
    public static IReadOnlyList<string> LearnedBaselines { get; } = ["task-label", "knn", "logreg", "mf"];

    public IReadOnlyList<CrossValidationSummary> Summaries() =>
        Routers.Select(r => CrossValidationSummary.Of(r, Cells.Where(c => c.Router == r).OrderBy(c => c.Fold).ToArray())).ToArray();

    /// <summary>
    /// AIQ of <paramref name="router"/> minus <paramref name="other"/>'s, fold by fold: both saw the same folds, so the
    /// spread of the difference excludes what the folds' own difficulty moves in both (most of each one's spread).
    /// </summary>
    public FoldStatistic PairedAiqDifference(string router, string other)
    {
        var mine = Cells.Where(c => c.Router == router).ToDictionary(c => c.Fold, c => c.Aiq);
        var theirs = Cells.Where(c => c.Router == other).ToDictionary(c => c.Fold, c => c.Aiq);
        return FoldStatistic.Of(mine.Keys.Where(theirs.ContainsKey).Select(k => mine[k] - theirs[k]).ToArray());
    }

    /// <summary>The learned baseline in this result with the highest mean AIQ, if any took part.</summary>
    public string? StrongestBaseline() => Summaries()
        .Where(s => LearnedBaselines.Contains(s.Router, StringComparer.Ordinal))
        .MaxBy(s => s.Aiq.Mean)?.Router;
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
