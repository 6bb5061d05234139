using ExpertRouter.Irt.Building;
using ExpertRouter.Irt.Encoding;

namespace ExpertRouter.Irt.Training;

public sealed class DiskEmbeddingStoreTests
{
    private static readonly PretrainedEncoder Tiny = PretrainedEncoders.MiniLm with { Dimensions = 3 };

    [Fact]
    public void Flush_ThenOpenAgain_GivesBackEveryEmbeddingByText()
    {
        var root = Temp();
        var store = DiskEmbeddingStore.Open(root, Tiny);
        store.Add("first prompt", [1, 2, 3]);
        store.Add("second prompt", [4, 5, 6]);
        store.Flush();

        var reopened = DiskEmbeddingStore.Open(root, Tiny);

        Assert.Equal(2, reopened.Count);
        Assert.True(reopened.TryGet("second prompt", out var embedding));
        Assert.Equal([4f, 5, 6], embedding);
        Assert.False(reopened.TryGet("third prompt", out _));
    }

    [Fact]
    public void Open_AFileWithATornLastRecord_KeepsTheWholeRecords()
    {
        var root = Temp();
        var store = DiskEmbeddingStore.Open(root, Tiny);
        store.Add("kept", [1, 2, 3]);
        store.Flush();
        File.AppendAllText(store.Path, "torn");

        var reopened = DiskEmbeddingStore.Open(root, Tiny);

        Assert.Equal(1, reopened.Count);
        Assert.True(reopened.TryGet("kept", out _));
    }

    [Fact]
    public void Add_AnEmbeddingOfTheWrongSize_IsNotStored()
    {
        var store = DiskEmbeddingStore.Open(Temp(), Tiny);

        store.Add("short", [1, 2]);

        Assert.False(store.TryGet("short", out _));
    }

    private static string Temp() => Path.Combine(Path.GetTempPath(), "er-embeddings-" + Guid.NewGuid().ToString("N"));
}
