using ExpertRouter.Irt.Encoding;
using ExpertRouter.Irt.Serving;

namespace ExpertRouter.Gateway.Configuration;

public enum CacheMode
{
    /// <summary>Reuse an answer only for the same normalised request.</summary>
    Exact,

    /// <summary>Also reuse the answer of a nearly identical prompt that agrees on numbers and negations.</summary>
    Semantic,
}

/// <summary>How one tenant's chat answers are cached. Immutable; the gateway default or a tenant's own.</summary>
public sealed record TenantCacheOptions
{
    public bool Enabled { get; init; } = true;

    public TimeSpan Ttl { get; init; } = TimeSpan.FromHours(1);

    public CacheMode Mode { get; init; } = CacheMode.Exact;

    /// <summary>Cosine similarity at or above which a semantic neighbour may answer (with the guard passing too).</summary>
    public double SemanticThreshold { get; init; } = 0.95;

    /// <summary>
    /// What embeds prompts for the semantic cache: <c>hashed</c> (default: word and character-trigram hashing, tens of
    /// microseconds) or a pretrained sentence encoder, <c>minilm</c> or <c>arctic-xs</c> (milliseconds on CPU). A
    /// tenant whose router runs the same sentence encoder embeds each request once: the cache reuses the router's vector.
    /// </summary>
    public string Embedder { get; init; } = CacheEmbedderNames.Hashed;

    /// <summary>
    /// Cache requests that are not deterministic (temperature absent or above 0). Off by default: a client that asks
    /// for sampling expects different answers, and OpenAI's default temperature is 1.
    /// </summary>
    public bool CacheNonDeterministic { get; init; }
}

/// <summary>The names <see cref="TenantCacheOptions.Embedder"/> takes.</summary>
public static class CacheEmbedderNames
{
    public const string Hashed = "hashed";

    /// <summary>hashed, then the pretrained sentence encoders the project knows (minilm, arctic-xs).</summary>
    public static IReadOnlyList<string> All { get; } = [Hashed, .. PretrainedEncoders.All.Select(e => e.Name)];
}

/// <summary>The gateway's configuration section <c>ExpertRouter:Cache</c>.</summary>
public sealed record CacheSettings
{
    public TenantCacheOptions Default { get; init; } = new();

    /// <summary>Per-tenant replacements of <see cref="Default"/> (a whole record: unset members take built-in defaults).</summary>
    public IReadOnlyDictionary<string, TenantCacheOptions> Tenants { get; init; } = new Dictionary<string, TenantCacheOptions>();

    /// <summary>StackExchange.Redis connection string; unset keeps entries in process.</summary>
    public string? Redis { get; init; }

    /// <summary>
    /// With Redis on a server without vector sets: how often at most a replica reads, per tenant and scope, the
    /// semantic entries other replicas appended (before a lookup). Zero reads before every lookup.
    /// </summary>
    public TimeSpan SemanticCatchUp { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Most entries the in-process store (and the in-process semantic index) keeps; with Redis, also the most
    /// semantic entries kept per tenant and scope in Redis.
    /// </summary>
    public int MaxEntries { get; init; } = 10_000;

    /// <summary>Most bytes of answers the in-process store keeps.</summary>
    public long MaxBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>Answers larger than this are relayed but not stored.</summary>
    public int MaxEntryBytes { get; init; } = 1024 * 1024;

    /// <summary>Dimensions of the built-in hashed embedding used by the semantic cache.</summary>
    public int EmbeddingDimensions { get; init; } = 256;

    /// <summary>
    /// How a sentence-encoder embedder (<see cref="TenantCacheOptions.Embedder"/>) runs: CPU by default, CUDA with the
    /// routers' fallback to CPU; <c>EncoderCacheDirectory</c> is where the encoder is extracted from its package.
    /// </summary>
    public OnnxServingOptions EmbedderServing { get; init; } = new();
}
