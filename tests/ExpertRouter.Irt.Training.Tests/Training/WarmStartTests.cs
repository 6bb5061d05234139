using ExpertRouter.Evaluation.Data;
using ExpertRouter.Irt.Building;
using ExpertRouter.Irt.Calibration;
using ExpertRouter.Irt.Serving;

namespace ExpertRouter.Irt.Training.Tests.Training;

/// <summary>
/// Continuing a trained router on a gateway-like log: most prompts carry only the served expert's score, a fifth carry
/// every expert's (exploration), and one expert is new to the router.
/// </summary>
public sealed class WarmStartTests
{
    private static readonly string[] Known = ["strong", "mathy", "bio"];

    /// <summary>Records as a gateway logs them: "strong" served everything; every fifth prompt explored all experts.</summary>
    private static IReadOnlyList<RoutingRecord> BiasedLog(int count, int seed) =>
        SyntheticRouting.Records(count, seed).Select((r, i) => i % 5 == 0
            ? r
            : r with { Outcomes = r.Outcomes.Where(o => o.Key == "strong").ToDictionary(o => o.Key, o => o.Value) }).ToArray();

    private static double MeanGap(IrtBuild a, IrtBuild b, int expert)
    {
        var probe = SyntheticRouting.Records(90, seed: 123, split: "dev");
        return probe.Average(r => Math.Abs(a.Predict(r.Prompt)[expert] - b.Predict(r.Prompt)[expert]));
    }

    [Fact]
    public void Continued_OnABiasedLog_KeepsTheKnownExperts_AndLearnsTheNewOne_BetterThanTrainingOnTheLogAlone()
    {
        var start = SyntheticRouting.Train(experts: SyntheticRouting.Experts.Take(3).ToArray());
        var full = SyntheticRouting.Train();
        var log = BiasedLog(300, seed: 77);
        var fromScratch = IrtBuild.Run(SyntheticRouting.Request() with { Train = log });

        var continued = IrtBuild.Run(SyntheticRouting.Request() with { Train = log, Start = new WarmStart(start.Ensemble, Known, "start") });

        for (var expert = 1; expert <= 2; expert++)
        {
            // mathy and bio: the log holds few of their outcomes; the start knew them from full data.
            Assert.True(MeanGap(continued, full, expert) < MeanGap(fromScratch, full, expert),
                $"expert {expert}: continued {MeanGap(continued, full, expert):F3} vs from scratch {MeanGap(fromScratch, full, expert):F3} away from full training");
        }

        var history = SyntheticRouting.Records(30, seed: 5, split: "dev").Where(r => r.Task == "history").ToArray();
        var algebra = SyntheticRouting.Records(30, seed: 5, split: "dev").Where(r => r.Task == "algebra").ToArray();
        Assert.True(history.Average(r => continued.Predict(r.Prompt)[3]) > algebra.Average(r => continued.Predict(r.Prompt)[3]) + 0.2,
            "the new historian should be placed higher on history than on algebra");
        var record = Assert.IsType<WarmStartRecord>(continued.ContinuedFrom);
        Assert.Equal("start", record.From);
        Assert.Contains(record.Anchor, WarmStart.AnchorGrid);
        Assert.Equal(WarmStart.AnchorGrid.Count, record.CrossValidatedLogLoss!.Count);
        Assert.Equal(record.CrossValidatedLogLoss.Values.Min(), record.CrossValidatedLogLoss[record.Anchor.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
    }

    [Fact]
    public void Continued_WithAGivenAnchor_TriesOnlyThatOne()
    {
        var start = SyntheticRouting.Train(experts: SyntheticRouting.Experts.Take(3).ToArray());

        var continued = IrtBuild.Run(SyntheticRouting.Request() with { Train = BiasedLog(200, seed: 9), Start = new WarmStart(start.Ensemble, Known, "start"), Anchor = 3f });

        Assert.Equal(3f, continued.ContinuedFrom!.Anchor);
        Assert.Null(continued.ContinuedFrom.CrossValidatedLogLoss);
    }

    [Fact]
    public void Continued_WithAnAnchorFarAboveOneOverTheLearningRate_FreezesTheKnownExperts_InsteadOfDiverging()
    {
        var start = SyntheticRouting.Train(experts: SyntheticRouting.Experts.Take(3).ToArray());

        // The default learning rate is 0.003: a pull of 1e6 per step would overshoot the anchor a thousandfold.
        var continued = IrtBuild.Run(SyntheticRouting.Request() with { Train = BiasedLog(200, seed: 9), Start = new WarmStart(start.Ensemble, Known, "start"), Anchor = 1e6f });

        var probe = SyntheticRouting.Records(60, seed: 31, split: "dev");
        foreach (var record in probe)
        {
            var predicted = continued.Predict(record.Prompt);
            for (var m = 0; m < SyntheticRouting.Experts.Count; m++)
            {
                Assert.True(double.IsFinite(predicted[m]) && predicted[m] is >= 0 and <= 1, $"expert {m}: probability {predicted[m]}");
            }
        }

        var gap = probe.Average(r => Math.Abs(continued.Predict(r.Prompt)[1] - start.Predict(r.Prompt)[1]));
        Assert.True(gap < 0.02, $"mathy moved {gap:F4} from the start under an anchor that should freeze it");
    }

    [Fact]
    public void MemberFor_LaysTheStartOutByExpertId_AndStartsANewExpertAsTheMeanExpert()
    {
        var start = SyntheticRouting.Train(experts: SyntheticRouting.Experts.Take(3).ToArray()).Ensemble;
        var warm = new WarmStart(start, Known, "start");
        var from = start.Members[0];
        int k = from.AbilityDimensions;

        var member = warm.MemberFor(0, ["bio", "historian", "strong"]);

        Assert.Equal(3, member.Experts);
        Assert.Equal(from.Abilities.AsSpan(2 * k, k).ToArray(), member.Abilities.AsSpan(0, k).ToArray());
        Assert.Equal(from.ExpertBias[2], member.ExpertBias[0]);
        Assert.Equal(from.Abilities.AsSpan(0, k).ToArray(), member.Abilities.AsSpan(2 * k, k).ToArray());
        for (var c = 0; c < k; c++)
        {
            Assert.Equal((from.Abilities[c] + from.Abilities[k + c] + from.Abilities[2 * k + c]) / 3, member.Abilities[k + c], 5);
        }

        Assert.Equal(from.ExpertBias.Average(), member.ExpertBias[1], 5);
        Assert.Equal(from.Embedding, member.Embedding);
        Assert.Equal([1], warm.NewExperts(["bio", "historian", "strong"]));
    }

    [Fact]
    public void AWarmStart_OfAnotherShape_OrWithItemsFromEveryModel_IsRefusedWithEveryReason()
    {
        var start = SyntheticRouting.Train(experts: SyntheticRouting.Experts.Take(3).ToArray()).Ensemble;
        var request = SyntheticRouting.Request() with
        {
            Start = new WarmStart(start, Known, "start"),
            ItemsFromAllModels = true,
            Options = SyntheticRouting.Request().Options with { EmbeddingSize = 16 },
            Anchor = -1,
        };

        var errors = request.Validate();

        Assert.Equal(3, errors.Count);
        Assert.Contains(errors, e => e.Contains("items from every model", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("starting router's shape", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("anchor must not be negative", StringComparison.Ordinal));
    }

    [Fact]
    public void AWarmStart_ThatKnowsNoneOfThePool_IsRefused()
    {
        var start = SyntheticRouting.Train(experts: SyntheticRouting.Experts.Take(3).ToArray()).Ensemble;

        var error = Assert.Throws<ArgumentException>(() => IrtBuild.Run(SyntheticRouting.Request(experts: SyntheticRouting.Experts.Skip(3).ToArray()) with
        {
            Start = new WarmStart(start, Known, "start"),
        }));

        Assert.Contains("knows none of the pool's experts", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Calibration_OnALogThatRecordsMostlyTheServedExpert_MeasuresCostAgainstThePredictedBest()
    {
        // "historian" was served on every prompt, so its recorded scores sum highest; the router predicts "strong" best.
        var experts = SyntheticRouting.Experts;
        var records = SyntheticRouting.Records(40, seed: 3).Select((r, i) => i % 10 == 0
            ? r
            : r with { Outcomes = r.Outcomes.Where(o => o.Key == "historian").ToDictionary(o => o.Key, o => o.Value with { Score = 1 }) }).ToArray();
        var predictions = records.Select(_ => new float[] { 0.95f, 0.6f, 0.6f, 0.5f }).ToArray();

        var calibration = RouterCalibrator.Build("log", records, predictions, experts);

        Assert.Equal("strong", calibration.BestExpert);
        // Benchmark data records every expert: there the recorded scores name the best, whatever the router predicts.
        var complete = records.Select(r => r with { Outcomes = experts.ToDictionary(e => e.Id, e => new RecordedOutcome { Score = e.Id == "historian" ? 1 : 0 }) }).ToArray();
        Assert.Equal(3, RouterCalibrator.BestExpert(complete, predictions, experts));
    }
}
