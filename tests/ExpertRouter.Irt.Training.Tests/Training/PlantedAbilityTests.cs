using ExpertRouter.Irt.Building;
using ExpertRouter.Irt.Encoding;
using ExpertRouter.Irt.Training;

namespace ExpertRouter.Irt.Training.Tests.Training;

public sealed class PlantedAbilityTests
{
    [Fact]
    public void Train_OnPlantedAbilities_RecoversEachTopicsExpertRanking()
    {
        var build = SyntheticRouting.Train();
        var probe = SyntheticRouting.Records(90, seed: 99, split: "dev");

        for (var topic = 0; topic < SyntheticRouting.Topics.Length; topic++)
        {
            var prompts = probe.Where(r => r.Task == SyntheticRouting.Topics[topic]).ToArray();
            var mean = new double[SyntheticRouting.Experts.Count];
            foreach (var record in prompts)
            {
                var p = build.Predict(record.Prompt);
                for (var m = 0; m < mean.Length; m++)
                {
                    mean[m] += p[m] / prompts.Length;
                }
            }

            var planted = Enumerable.Range(0, mean.Length).OrderByDescending(m => SyntheticRouting.Ability[m][topic]).ToArray();
            var learned = Enumerable.Range(0, mean.Length).OrderByDescending(m => mean[m]).ToArray();
            Assert.Equal(planted, learned);
        }
    }

    [Fact]
    public void Train_LearnsThatHardPromptsAreHarder()
    {
        var build = SyntheticRouting.Train();
        var random = new Random(3);

        var easy = build.Predict(SyntheticRouting.Prompt(0, hard: false, random));
        var hard = build.Predict(SyntheticRouting.Prompt(0, hard: true, random));

        Assert.All(Enumerable.Range(0, easy.Length), m => Assert.True(hard[m] < easy[m], $"expert {m}: {hard[m]} !< {easy[m]}"));
    }

    [Fact]
    public void Train_LowersTheLossBelowAConstantPredictor()
    {
        var build = SyntheticRouting.Train();
        var examples = IrtDataset.Build(SyntheticRouting.Records(90, 41, "dev"), SyntheticRouting.Experts.Select(e => e.Id).ToArray(), build.Featurizer.Featurize);
        var constant = new[] { 0.5f, 0.5f, 0.5f, 0.5f };
        var constantLoss = examples.Average(e => e.Experts.Select((m, j) => -(e.Scores[j] * Math.Log(constant[m]) + (1 - e.Scores[j]) * Math.Log(1 - constant[m]))).Average());

        Assert.True(DevEvaluation.LogLoss(build.Ensemble, examples) < constantLoss - 0.1);
    }
}
