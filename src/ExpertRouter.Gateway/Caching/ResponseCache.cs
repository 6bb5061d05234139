using ExpertRouter.Core.Caching;
using ExpertRouter.Gateway.Caching.Replay;
using ExpertRouter.Gateway.Caching.Semantic;

namespace ExpertRouter.Gateway.Caching;

/// <summary>
/// The cache's storage side, apart from HTTP: exact lookups, semantic lookups (embedding, index, guard) and
/// storing a captured answer with its expiry. <see cref="ResponseCacheStep"/> decides when each is used.
/// </summary>
public sealed class ResponseCache(IResponseCacheStore store, ISemanticIndex index, ITextEmbedder embedder, TimeProvider time)
{
    public IResponseCacheStore Store => store;

    public ISemanticIndex Index => index;

    public ValueTask<CachedResponse?> GetAsync(string tenantId, string key, CancellationToken cancellationToken) =>
        store.GetAsync(tenantId, key, cancellationToken);

    /// <summary>The prompt's embedding (by the default, hashed embedder) and guard facts, computed once per request for both lookup and store.</summary>
    public SemanticProbe Probe(string prompt)
    {
        var vector = new float[embedder.Dimensions];
        embedder.Embed(prompt, vector);
        return new SemanticProbe(vector, PromptAgreement.Summarise(prompt), prompt);
    }

    /// <summary>
    /// As <see cref="Probe(string)"/> with the tenant's <paramref name="tenantEmbedder"/>; its vector comes from the
    /// request's <paramref name="shared"/> embeddings when the router already computed it with the same encoder. A
    /// sentence encoder's entries live in their own part of each scope: vectors of different embedders never meet.
    /// </summary>
    public SemanticProbe Probe(string prompt, ITextEmbedder tenantEmbedder, PromptEmbeddings? shared)
    {
        if (tenantEmbedder.Name == embedder.Name)
        {
            return Probe(prompt);
        }

        var vector = shared?.GetOrEmbed(tenantEmbedder, prompt) ?? Embed(tenantEmbedder, prompt);
        return new SemanticProbe(vector, PromptAgreement.Summarise(prompt), prompt) { Space = tenantEmbedder.Name };
    }

    /// <summary>
    /// The closest stored answer in the same tenant and scope that passes the threshold, the index's facts and then
    /// <see cref="PromptVerification"/> against the stored prompt itself. The verification runs here, on the replica
    /// that serves, whatever index (in-process or shared through Redis) proposed the neighbour.
    /// </summary>
    public async ValueTask<(CachedResponse Entry, float Similarity)?> FindSimilarAsync(
        string tenantId, string scope, SemanticProbe probe, double threshold, CancellationToken cancellationToken)
    {
        scope = probe.IndexScope(scope);
        var match = await index.FindAsync(new SemanticQuery(tenantId, scope, probe.Vector, probe.Facts, threshold), cancellationToken);
        if (match is not { } found)
        {
            return null;
        }

        var entry = await store.GetAsync(tenantId, found.Key, cancellationToken);
        if (entry is null)
        {
            // The answer expired or was evicted; drop its vector so it stops shadowing neighbours that are still there.
            await index.RemoveAsync(tenantId, scope, found.Key, cancellationToken);
            return null;
        }

        // Cosine similarity and the facts are blind to word order: "5 km to miles" and "5 miles to km" score 1.0.
        return PromptVerification.SameQuestion(entry.Prompt, probe.Prompt) ? (entry, found.Similarity) : null;
    }

    public async ValueTask<CachedResponse> StoreAsync(
        string tenantId, CacheKeys keys, CapturedCompletion completion, string expert, string prompt, TimeSpan ttl,
        SemanticProbe? probe, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var entry = new CachedResponse
        {
            Completion = completion.Body,
            Expert = expert,
            PromptTokens = completion.PromptTokens,
            CompletionTokens = completion.CompletionTokens,
            StoredAt = now,
            ExpiresAt = now + ttl,
            Prompt = prompt,
        };
        await store.SetAsync(tenantId, keys.Exact, entry, cancellationToken);
        if (probe is not null && keys.Scope is { } scope)
        {
            await index.AddAsync(new SemanticEntry(tenantId, probe.IndexScope(scope), probe.Vector, probe.Facts, keys.Exact, entry.ExpiresAt), cancellationToken);
        }

        return entry;
    }

    private static float[] Embed(ITextEmbedder embedder, string prompt)
    {
        var vector = new float[embedder.Dimensions];
        embedder.Embed(prompt, vector);
        return vector;
    }
}

/// <summary>A prompt's embedding, its facts for the index's filter, and the text the final verification compares.</summary>
public sealed record SemanticProbe(float[] Vector, PromptFacts Facts, string Prompt)
{
    /// <summary>
    /// The embedder's name when it is not the default hashed one. The default's entries keep the scope they always had,
    /// so entries stored before tenants could choose an embedder stay reachable.
    /// </summary>
    public string? Space { get; init; }

    /// <summary>The index partition of <paramref name="scope"/> for this probe's embedder.</summary>
    public string IndexScope(string scope) => Space is null ? scope : $"{Space}:{scope}";
}
