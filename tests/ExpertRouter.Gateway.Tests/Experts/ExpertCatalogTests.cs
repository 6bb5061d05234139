using ExpertRouter.Core.Experts;
using ExpertRouter.Gateway.Experts;

namespace ExpertRouter.Gateway.Tests.Experts;

public sealed class ExpertCatalogTests
{
    [Fact]
    public void Catalog_SplitsChatAndEmbeddingExperts_AndFindsById()
    {
        var catalog = new ExpertCatalog([new ExpertDefinition { Id = "chat" }, new ExpertDefinition { Id = "emb", Capabilities = new() { Chat = false, Embeddings = true } }]);

        Assert.Equal(["chat"], catalog.Chat.Select(e => e.Id));
        Assert.Equal(["emb"], catalog.Embeddings.Select(e => e.Id));
        Assert.True(catalog.TryGet("emb", out var found) && found.Id == "emb");
        Assert.False(catalog.TryGet("nope", out _));
    }

    [Fact]
    public void BindSimulated_PointsOnlySimulatedExpertsAtTheSimulator()
    {
        var bound = ExpertCatalog.BindSimulated(
            [new ExpertDefinition { Id = "sim", Simulated = true }, new ExpertDefinition { Id = "real", BaseUrls = ["https://api.example/v1"] }],
            new Uri("http://127.0.0.1:9000/v1/")).ToArray();

        Assert.Equal(["http://127.0.0.1:9000/v1"], bound[0].BaseUrls);
        Assert.Equal(["https://api.example/v1"], bound[1].BaseUrls);
    }

    [Fact]
    public void BindSimulated_WithoutASimulator_Throws()
    {
        Assert.Throws<InvalidOperationException>(() => ExpertCatalog.BindSimulated([new ExpertDefinition { Id = "sim", Simulated = true }], null).ToArray());
    }

    [Fact]
    public void Credentials_ReadKeysFromTheEnvironment_AndNeverPrintThem()
    {
        var credentials = new ExpertCredentials(
            [new ExpertDefinition { Id = "a", ApiKeyEnvironmentVariable = "KEY_A" }, new ExpertDefinition { Id = "b", ApiKeyEnvironmentVariable = "KEY_B" }],
            name => name == "KEY_A" ? "sk-secret" : null);

        Assert.Equal("sk-secret", credentials.ApiKeyFor("a"));
        Assert.Null(credentials.ApiKeyFor("b"));
        Assert.DoesNotContain("sk-secret", credentials.ToString());
    }
}
