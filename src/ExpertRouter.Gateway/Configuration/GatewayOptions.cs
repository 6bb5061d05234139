using ExpertRouter.Core.Experts;
using ExpertRouter.Core.Tenants;
using ExpertRouter.Gateway.Resilience;
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
