using ExpertRouter.Core.Experts;
using ExpertRouter.Core.Tenants;
using ExpertRouter.Gateway.Resilience;

namespace ExpertRouter.Gateway.Configuration;

/// <summary>The gateway's configuration section <c>ExpertRouter</c>. Immutable; validated once at start-up.</summary>
public sealed record GatewayOptions
{
    public const string SectionName = "ExpertRouter";

    public IReadOnlyList<ExpertDefinition> Experts { get; init; } = [];

    /// <summary>Tenants defined inline in configuration (the demo tenant of the default run).</summary>
    public IReadOnlyList<TenantPolicy> Tenants { get; init; } = [];

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
