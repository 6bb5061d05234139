using ExpertRouter.Irt.Building;

namespace ExpertRouter.Irt.Tests.Training;

public sealed class DeterminismTests
{
    [Fact]
    public void Build_TwiceWithTheSameSeed_WritesByteIdenticalFolders()
    {
        var first = Write(PlantedAbilityTests.TrainSynthetic(seed: 8, members: 2));
        var second = Write(PlantedAbilityTests.TrainSynthetic(seed: 8, members: 2));

        Assert.Equal(File.ReadAllBytes(Path.Combine(first, "model.onnx")), File.ReadAllBytes(Path.Combine(second, "model.onnx")));
        Assert.Equal(File.ReadAllText(Path.Combine(first, "router.json")), File.ReadAllText(Path.Combine(second, "router.json")));
    }

    [Fact]
    public void Build_WithAnotherSeed_GivesOtherWeights()
    {
        var first = Write(PlantedAbilityTests.TrainSynthetic(seed: 8));
        var second = Write(PlantedAbilityTests.TrainSynthetic(seed: 9));

        Assert.NotEqual(File.ReadAllBytes(Path.Combine(first, "model.onnx")), File.ReadAllBytes(Path.Combine(second, "model.onnx")));
    }

    internal static string Write(IrtBuild build, string name = "synthetic")
    {
        var folder = Path.Combine(Path.GetTempPath(), "er-irt-tests-" + Guid.NewGuid().ToString("N"));
        IrtRouterFolder.Write(folder, name, build, ["synthetic:train"], dev: null);
        return folder;
    }
}
