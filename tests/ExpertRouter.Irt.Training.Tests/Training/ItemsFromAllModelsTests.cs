using ExpertRouter.Irt.Building;
using ExpertRouter.Irt.Encoding;
using ExpertRouter.Irt.Serving;

namespace ExpertRouter.Irt.Training;

public sealed class ItemsFromAllModelsTests
{
    [Fact]
    public void ItemModels_PutsThePoolFirstAndEveryOtherRecordedModelAfterIt()
    {
        var records = SyntheticRouting.Records(30, seed: 2);

        var models = IrtBuild.ItemModelsFor(["historian", "strong"], records);

        Assert.Equal(["historian", "strong", "bio", "mathy"], models);
    }

    [Fact]
    public void Run_WithItemsFromAllModels_LearnsFromEveryOutcomeAndKeepsOnlyThePool()
    {
        var pool = SyntheticRouting.Experts.Take(2).ToArray();

        var build = IrtBuild.Run(Request(pool, allModels: true));

        Assert.All(build.Ensemble.Members, m => Assert.Equal(2, m.Experts));
        Assert.Equal(4 * build.FitPrompts, build.FitOutcomes);
        Assert.Equal(["strong", "mathy", "bio", "historian"], build.ItemModels);
        Assert.Equal(2, build.Predict("Question about algebra: solve equation briefly").Length);
    }

    [Fact]
    public void Run_WithItemsFromAllModels_RanksThePoolOnATopicAsThePlantedAbilitiesDo()
    {
        var pool = new[] { SyntheticRouting.Experts[1], SyntheticRouting.Experts[3] };

        var build = IrtBuild.Run(Request(pool, allModels: true));

        var algebra = build.Predict("Question about algebra: equation solve integer root factor sum briefly");
        var history = build.Predict("Question about history: empire treaty dynasty king war colony briefly");
        Assert.True(algebra[0] > algebra[1], $"mathy {algebra[0]} vs historian {algebra[1]} on algebra");
        Assert.True(history[1] > history[0], $"historian {history[1]} vs mathy {history[0]} on history");
    }

    [Fact]
    public void TryParse_AVariantWithSettings_CarriesThemAndItsName()
    {
        var trainer = IrtVariantName.TryParse("irt-all-hashed-minilm@dim=64;k=16;members=2;dropout=0.25;linear=true", out var error);

        Assert.Null(error);
        Assert.Equal("hashed+minilm", trainer!.Encoder);
        Assert.True(trainer.ItemsFromAllModels);
        Assert.Equal((64, 16, 2, 0.25f, true), (trainer.Options.EmbeddingSize, trainer.Options.AbilityDimensions, trainer.Members, trainer.Options.FeatureDropout, trainer.Options.ExpertLinear));
        Assert.Equal("irt-all-hashed-minilm@dim=64;k=16;members=2;dropout=0.25;linear=true", trainer.Name);
    }

    [Fact]
    public void TryParse_ReadingSettings_GiveTheTrainerItsReadingPolicy()
    {
        var trainer = IrtVariantName.TryParse("irt-all-hashed@messages=all;system=true;tokens=256;truncate=head-tail;features=1024", out var error);

        Assert.Null(error);
        Assert.Equal(
            new ExpertRouter.Irt.Reading.ReadingPolicy { Messages = "all", System = true, MaxTokens = 256, Truncate = "head+tail", MaxFeatures = 1024 },
            trainer!.Reads);
    }

    [Fact]
    public void TryParse_NgramSettings_GiveTheTrainerItsHashedOptions_AndAnEmptyRangeIsAnError()
    {
        var one = IrtVariantName.TryParse("irt-all-hashed@chars=4;words=1", out var error);
        var range = IrtVariantName.TryParse("irt-all-hashed@chars=2-6", out _);
        var empty = IrtVariantName.TryParse("irt-all-hashed@chars=5-3;words=x", out var emptyError);

        Assert.Null(error);
        Assert.Equal((4, 4, 1), (one!.Hashed.CharNgramMin, one.Hashed.CharNgramMax, one.Hashed.WordNgramMax));
        Assert.Equal((2, 6, 2), (range!.Hashed.CharNgramMin, range.Hashed.CharNgramMax, range.Hashed.WordNgramMax));
        Assert.Null(empty);
        Assert.Contains("[5, 3] is empty", emptyError);
        Assert.Contains("'words=x'", emptyError);
    }

    [Fact]
    public void ParseReading_ListsEveryMalformedSetting()
    {
        var (policy, error) = IrtVariantName.ParseReading("messages=some;tokens=1;truncate=middle");

        Assert.Null(policy);
        Assert.Contains("messages=some", error);
        Assert.Contains("truncate=middle", error);
        Assert.Contains("maxTokens", error);
        Assert.Equal(new ExpertRouter.Irt.Reading.ReadingPolicy { MaxTokens = 512 }, IrtVariantName.ParseReading("tokens=512").Policy);
    }

    [Theory]
    [InlineData("knn")]
    [InlineData("irt-some-hashed")]
    [InlineData("irt-pool-word2vec")]
    public void TryParse_NotAnIrtVariant_IsNull(string name) => Assert.Null(IrtVariantName.TryParse(name, out _));

    [Fact]
    public void TryParse_AnUnknownSetting_IsNullWithTheReason()
    {
        Assert.Null(IrtVariantName.TryParse("irt-pool-hashed@depth=3", out var error));
        Assert.Contains("depth=3", error);
    }

    private static IrtBuildRequest Request(IReadOnlyList<ExpertRouter.Core.Experts.ExpertDefinition> pool, bool allModels) => new()
    {
        Train = SyntheticRouting.Records(450, seed: 4),
        Experts = pool,
        Hashed = new HashedNgramOptions { Buckets = 1024 },
        ItemsFromAllModels = allModels,
        Options = new IrtTrainingOptions { Seed = 4, Epochs = 10, EmbeddingSize = 8, AbilityDimensions = 4, LearningRate = 0.01f },
        Members = 1,
    };
}
