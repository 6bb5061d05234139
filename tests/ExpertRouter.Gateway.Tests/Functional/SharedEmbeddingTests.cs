using System.Net;
using System.Text;
using System.Text.Json;
using ExpertRouter.Gateway.Caching;
using ExpertRouter.Gateway.Caching.Semantic;
using ExpertRouter.Gateway.Routing;
using ExpertRouter.Gateway.Tests.Caching;
using ExpertRouter.Irt.Encoding;
using ExpertRouter.Irt.Serving;
using static ExpertRouter.Gateway.Tests.Functional.CacheTestRequests;

namespace ExpertRouter.Gateway.Tests.Functional;

/// <summary>
/// A tenant whose router and semantic cache both run MiniLM: each request runs the encoder once (the router's pass,
/// whose vector the cache reuses), and a semantic neighbour the index proposes is still served only after the cache's
/// verification. A tenant with a hashed router and the same cache embedder runs the cache's own encoder instead.
/// The router is Routing/Fixtures/irt-minilm (44 KB, no encoder inside): the ZE-12 pool over MiniLM embeddings,
/// `train --router irt --encoder minilm --members 1 --train zeroeval:train --pool evals/pools/ze-12.json --name irt-minilm`.
/// </summary>
[Collection(SentenceEncoderCollection.Name)]
public sealed class SharedEmbeddingTests(SentenceEncoders encoders) : IAsyncLifetime
{
    private const string SharedKey = "sk-shared-encoder";
    private const string HashedRouterKey = "sk-hashed-router";
    private const string SentenceRouter = "irt-minilm";
    private GatewayHost _gateway = null!;

    public async Task InitializeAsync()
    {
        var fixture = Path.Combine(AppContext.BaseDirectory, "Routing", "Fixtures", SentenceRouter);
        _gateway = await new GatewayBuilder()
            .Setting("Routers:1:Path", fixture)
            .Setting("Routers:1:Serving:EncoderCacheDirectory", encoders.CacheRoot)
            .Tenant("shared", SharedKey, router: SentenceRouter)
            .Tenant("hashed-router", HashedRouterKey, router: "irt-ze12")
            .Setting("Cache:EmbedderServing:EncoderCacheDirectory", encoders.CacheRoot)
            .Setting("Cache:Tenants:shared:Mode", "Semantic")
            .Setting("Cache:Tenants:shared:Embedder", "minilm")
            // Low on purpose, so the index proposes reordered neighbours and verification has to refuse them.
            .Setting("Cache:Tenants:shared:SemanticThreshold", "0.5")
            .Setting("Cache:Tenants:hashed-router:Mode", "Semantic")
            .Setting("Cache:Tenants:hashed-router:Embedder", "minilm")
            .StartAsync();
    }

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    [Fact]
    public async Task Request_RouterAndCacheOnMiniLm_RunTheEncoderOncePerRequest()
    {
        using var client = _gateway.CreateClient(SharedKey);
        var (router, cache) = (RouterEncoder(), CacheEncoder());
        var before = (Router: router.Runs, Cache: cache.Runs);

        Assert.Equal("miss", await AskAsync(client, "What is the capital of France?"));
        Assert.Equal("semantic-hit", await AskAsync(client, "what is the capital of France"));
        Assert.Equal("hit", await AskAsync(client, "What is the capital of France?"));

        Assert.Equal(3, router.Runs - before.Router);
        Assert.Equal(0, cache.Runs - before.Cache);
    }

    [Fact]
    public async Task Request_HashedRouterMiniLmCache_RunsTheCachesOwnEncoder()
    {
        using var client = _gateway.CreateClient(HashedRouterKey);
        var cache = CacheEncoder();
        var before = cache.Runs;

        Assert.Equal("miss", await AskAsync(client, "Which river is the longest in Europe?"));
        // MiniLM lower-cases, so this is the same vector: a hit at the default threshold (0.95).
        Assert.Equal("semantic-hit", await AskAsync(client, "WHICH RIVER IS THE LONGEST IN EUROPE?"));

        Assert.Equal(2, cache.Runs - before);
    }

    [Theory]
    [InlineData("Convert 5 km to miles", "Convert 5 miles to km")]
    [InlineData("Did Alice sue Bob over the contract?", "Did Bob sue Alice over the contract?")]
    [InlineData("What is the capital of France?", "Which city is the capital of France?")]
    public async Task Neighbour_TheIndexProposesWithTheSharedVector_IsServedOnlyAfterVerification(string stored, string asked)
    {
        using var client = _gateway.CreateClient(SharedKey);
        Assert.Equal("miss", await AskAsync(client, stored));

        // The shared MiniLM vector is close enough for the index at this tenant's threshold...
        var keys = CacheKeyBuilder.Build("shared", Encoding.UTF8.GetBytes(Body(asked)), withScope: true);
        var probe = _gateway.Services.GetRequiredService<ResponseCache>().Probe(asked, encoders.MiniLm, shared: null);
        var proposed = await _gateway.Services.GetRequiredService<ISemanticIndex>().FindAsync(
            new SemanticQuery("shared", probe.IndexScope(keys.Scope!), probe.Vector, probe.Facts, 0.5), CancellationToken.None);
        Assert.NotNull(proposed);

        // ...and the verification still refuses it: another order, or other words, is another question.
        Assert.Equal("miss", await AskAsync(client, asked));
    }

    private SentenceTextEmbedder CacheEmbedder() => Assert.IsType<SentenceTextEmbedder>(_gateway.Services.GetRequiredService<CacheEmbedders>().For("minilm"));

    private BertOnnxEncoder CacheEncoder() => CacheEmbedder().Encoder;

    private BertOnnxEncoder RouterEncoder()
    {
        Assert.True(_gateway.Services.GetRequiredService<RouterRegistry>().TryGet(SentenceRouter, out var router));
        var embedder = Assert.IsType<IrtSkillRouter>(router).Embedder;
        Assert.NotNull(embedder);
        // The same encoder by name as the cache's, so the cache takes the router's vector instead of computing its own.
        Assert.Equal(CacheEmbedder().Name, embedder.Name);
        return embedder.Encoder;
    }

    private static string Body(string prompt) =>
        $$"""{"model":"auto","temperature":0,"messages":[{"role":"user","content":{{JsonSerializer.Serialize(prompt)}}}]}""";

    private async Task<string> AskAsync(HttpClient client, string prompt)
    {
        using var response = await client.PostAsync("/v1/chat/completions", new StringContent(Body(prompt), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await SettledAsync(_gateway);
        return CacheResult(response);
    }
}
