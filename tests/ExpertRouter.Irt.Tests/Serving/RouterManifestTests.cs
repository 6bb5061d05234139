using ExpertRouter.Irt.Serving;

namespace ExpertRouter.Irt.Tests.Serving;

public sealed class RouterManifestTests
{
    /// <summary>
    /// The shipped router.json files were written before the manifest moved to source-generated JSON; reading and
    /// saving them again must give the same bytes, or every retrain would rewrite the router folders.
    /// </summary>
    [Theory]
    [InlineData("irt-ze12")]
    [InlineData("irt-mmlu10")]
    public void ShippedManifest_LoadThenSave_IsByteIdentical(string router)
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "routers", router);
        var copy = Directory.CreateTempSubdirectory("router-manifest-");
        try
        {
            RouterManifest.Load(folder).Save(copy.FullName);

            Assert.Equal(
                File.ReadAllBytes(Path.Combine(folder, RouterManifest.FileName)),
                File.ReadAllBytes(Path.Combine(copy.FullName, RouterManifest.FileName)));
        }
        finally
        {
            copy.Delete(recursive: true);
        }
    }

    /// <summary>The shipped routers bound what a request costs them: a reading policy CV chose, and managed scoring.</summary>
    [Theory]
    [InlineData("irt-ze12")]
    [InlineData("irt-mmlu10")]
    public async Task ShippedRouter_ReadsABoundedPart_AndIsScoredInManagedCode(string router)
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "routers", router);

        await using var loaded = IrtSkillRouter.Load(folder, new OnnxServingOptions(), new RecordingLogger());
        var long4k = string.Join(' ', Enumerable.Range(0, 4000).Select(i => $"passage{i % 700} word{i}"));
        var scores = await loaded.PredictAsync(long4k);

        Assert.Equal("managed", loaded.Scoring);
        Assert.NotNull(loaded.Manifest.ReadingPolicy.MaxTokens);
        Assert.NotNull(loaded.Manifest.ReadingPolicy.MaxFeatures);
        Assert.All(scores, p => Assert.InRange(p, 0f, 1f));
    }
}
