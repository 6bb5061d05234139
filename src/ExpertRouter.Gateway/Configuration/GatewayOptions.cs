using ExpertRouter.Core.Experts;
using ExpertRouter.Core.Tenants;
using ExpertRouter.Irt.Serving;

namespace ExpertRouter.Gateway.Configuration;

/// <summary>The gateway's configuration section <c>ExpertRouter</c>. Immutable; validated once at start-up.</summary>
public sealed record GatewayOptions
{
    public const string SectionName = "ExpertRouter";

    public IReadOnlyList<ExpertDefinition> Experts { get; init; } = [];

    /// <summary>Tenants defined inline in configuration (the demo tenant of the default run).</summary>
    public IReadOnlyList<TenantPolicy> Tenants { get; init; } = [];

    /// <summary>Learned routers to load at start-up, each a folder made by <c>expertrouter train</c>.</summary>
    public IReadOnlyList<LearnedRouterOptions> Routers { get; init; } = [];

    /// <summary>Router for <c>auto</c> when the tenant names none.</summary>
    public string DefaultRouter { get; init; } = "cheapest";

    /// <summary>Largest request body accepted, in bytes; larger ones get 413.</summary>
    public long MaxRequestBodyBytes { get; init; } = 10 * 1024 * 1024;

    /// <summary>Longest the gateway waits for an expert's response headers, in seconds.</summary>
    public int UpstreamTimeoutSeconds { get; init; } = 300;

    /// <summary>How many further experts of the ranking a routed request may try before the first byte.</summary>
    public int MaxFallbacks { get; init; } = 2;

    /// <summary>Timeouts, same-expert retries, circuit breaking and active health probes.</summary>
    public ResilienceOptions Resilience { get; init; } = new();

    /// <summary>The response cache (<c>ExpertRouter:Cache</c>): exact by default, semantic per tenant, Redis when set.</summary>
    public CacheSettings Cache { get; init; } = new();

    /// <summary>
    /// Folder of tenant policy files (<c>--policies</c>), hot reloaded. Unset: the inline <see cref="Tenants"/> when
    /// there are any, else the shipped <c>policies/</c> folder with the demo tenant.
    /// </summary>
    public string? Policies { get; init; }

    /// <summary>StackExchange.Redis connection string (<c>--redis</c>) for accounting shared by replicas; unset: in-process.</summary>
    public string? Redis { get; init; }

    /// <summary>Reservation timeout, Redis command timeout and what a replica may grant while Redis is unusable.</summary>
    public AccountingOptions Accounting { get; init; } = new();

    /// <summary>Spreading load over near-equal experts, first-token latency samples, and the quota store's Redis limits.</summary>
    public CapacityOptions Capacity { get; init; } = new();

    /// <summary>Where <c>/metrics</c> is served, and who may scrape it.</summary>
    public ManagementOptions Management { get; init; } = new();

    /// <summary>SHA-256 (lower-case hex) of the key that opens <c>/admin</c>; the admin endpoints are off when unset.</summary>
    public string? AdminKeySha256 { get; init; }

    /// <summary>Output tokens assumed for a request without <c>max_tokens</c> when reserving its worst-case cost.</summary>
    public int DefaultMaxOutputTokens { get; init; } = 4096;

    /// <summary>
    /// When set (e.g. <c>http://127.0.0.1:9001/v1</c>), simulated experts are served by that external simulator
    /// (<c>expertrouter simulate</c>) instead of one embedded in the gateway, so benchmarks measure the gateway alone.
    /// </summary>
    public string? SimulatorUrl { get; init; }

    /// <summary>The request log (<c>--request-log DIR</c>): every request, feedback and exploration record.</summary>
    public RequestLogOptions RequestLog { get; init; } = new();

    /// <summary>How tenants' exploration runs (queue, concurrency, call limits, seed).</summary>
    public ExplorationOptions Exploration { get; init; } = new();

    /// <summary>Watching router folders and swapping changed ones in.</summary>
    public RouterReloadOptions RouterReload { get; init; } = new();

    /// <summary>The operator console at <c>/ui/</c>: served when an admin key is set.</summary>
    public ConsoleOptions Console { get; init; } = new();

    /// <summary>Named ensembles, asked for with the model <c>ensemble/&lt;name&gt;</c>.</summary>
    public IReadOnlyDictionary<string, EnsembleOptions> Ensembles { get; init; } =
        new Dictionary<string, EnsembleOptions>(StringComparer.Ordinal);
}

/// <summary>One router folder (<c>router.json</c> + ONNX graph) and how to serve it.</summary>
public sealed record LearnedRouterOptions
{
    /// <summary>Absolute, or relative to the working directory or else to the gateway's own folder.</summary>
    public string Path { get; init; } = "";

    public OnnxServingOptions Serving { get; init; } = new();

    public string ResolvedPath() =>
        System.IO.Path.IsPathRooted(Path) || Directory.Exists(Path) ? Path : System.IO.Path.Combine(AppContext.BaseDirectory, Path);
}
