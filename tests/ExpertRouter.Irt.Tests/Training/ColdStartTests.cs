using ExpertRouter.Irt.Building;
using ExpertRouter.Irt.Serving;
using ExpertRouter.Irt.Training;

namespace ExpertRouter.Irt.Tests.Training;

public sealed class ColdStartTests
{
    [Fact]
    public void AddExpert_From50Labels_RecoversItsBestTopicAndComesCloseToFullTraining()
    {
        // Train without "historian", then add it from 50 labelled prompts.
        var withoutHistorian = SyntheticRouting.Experts.Take(3).ToArray();
        var partial = PlantedAbilityTests.TrainSynthetic(experts: withoutHistorian);
        var full = PlantedAbilityTests.TrainSynthetic();
        var labels = SyntheticRouting.Records(50, seed: 77)
            .Select(r => (partial.Featurizer.Featurize(r.Prompt), (float)r.Outcomes["historian"].Score))
            .ToArray();

        var grown = ColdStart.AddExpert(partial.Ensemble, labels);

        var probe = SyntheticRouting.Records(90, seed: 123, split: "dev");
        var byTopic = new double[3];
        double gap = 0;
        foreach (var record in probe)
        {
            var features = partial.Featurizer.Featurize(record.Prompt);
            var coldStart = grown.Predict(features)[3];
            byTopic[Array.IndexOf(SyntheticRouting.Topics, record.Task)] += coldStart / 30;
            gap += Math.Abs(coldStart - full.Ensemble.Predict(features)[3]) / probe.Count;
        }

        Assert.Equal(4, grown.Experts);
        Assert.Equal(2, Array.IndexOf(byTopic, byTopic.Max()));
        Assert.True(gap < 0.15, $"mean |P_cold − P_full| = {gap:F3}");
    }

    [Fact]
    public void AddExpertToFolder_RewritesGraphAndManifest_AndServesTheNewExpert()
    {
        var folder = DeterminismTests.Write(PlantedAbilityTests.TrainSynthetic(experts: SyntheticRouting.Experts.Take(3).ToArray()));
        var labels = SyntheticRouting.Records(50, seed: 77);
        var historian = new RouterExpert { Id = "historian", InputUsdPerMTok = 0.2, OutputUsdPerMTok = 0.4, ExpectedOutputTokens = 100 };

        var result = ColdStartFolder.AddExpert(folder, historian, labels, calibrationPrompts: labels);

        Assert.Equal(50, result.LabelsUsed);
        Assert.Equal(["strong", "mathy", "bio", "historian"], RouterManifest.Load(folder).Experts.Select(e => e.Id));
        using var router = IrtSkillRouter.Load(folder, new OnnxServingOptions(), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        var p = router.PredictBatch([SyntheticRouting.Prompt(2, hard: false, new Random(1))])[0];
        Assert.Equal(4, p.Length);
        Assert.True(p[3] > p[1], "the historian should beat mathy on a history prompt");
    }
}
