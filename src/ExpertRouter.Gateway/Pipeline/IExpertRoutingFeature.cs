using ExpertRouter.Gateway.Accounting;
using ExpertRouter.Core.Experts;
using ExpertRouter.Core.Routing;
using ExpertRouter.Core.Tenants;

namespace ExpertRouter.Gateway.Pipeline;

/// <summary>
/// The one object a request carries through the routing steps. Each step reads it and narrows it:
/// tenant → request → candidates → decision → chosen expert; the forwarder sends to <see cref="Chosen"/>.
/// </summary>
public interface IExpertRoutingFeature
{
    TenantPolicy Tenant { get; }

    string RequestId { get; }

    OpenAIRequest? Request { get; set; }

    /// <summary>Experts still allowed to answer; steps only ever remove from it.</summary>
    IReadOnlyList<ExpertDefinition> Candidates { get; set; }

    /// <summary>The router's ranking (best first), or a single entry when the client named an expert.</summary>
    RoutingDecision? Decision { get; set; }

    ExpertScore? Chosen { get; set; }

    /// <summary>Position of <see cref="Chosen"/> in the ranking; fallbacks continue after it.</summary>
    int ChosenRank { get; set; }

    /// <summary>Experts tried before the one that answered, in order, with why each was left.</summary>
    IList<(string Expert, string Reason)> FailedAttempts { get; }

    /// <summary>Set while forwarding when the answer should be thrown away and the next expert tried.</summary>
    string? FallbackReason { get; set; }

    /// <summary>Time spent waiting on experts, so the gateway's own overhead can be told apart.</summary>
    TimeSpan UpstreamTime { get; set; }

    /// <summary>The worst-case cost held against the tenant's budget while the request is in flight.</summary>
    Reservation? Reservation { get; set; }

    /// <summary>What the answer really used and cost, once settled.</summary>
    SettledUsage? Usage { get; set; }
}

internal sealed class ExpertRoutingFeature(TenantPolicy tenant, string requestId) : IExpertRoutingFeature
{
    public TenantPolicy Tenant { get; } = tenant;

    public string RequestId { get; } = requestId;

    public OpenAIRequest? Request { get; set; }

    public IReadOnlyList<ExpertDefinition> Candidates { get; set; } = [];

    public RoutingDecision? Decision { get; set; }

    public ExpertScore? Chosen { get; set; }

    public int ChosenRank { get; set; }

    public IList<(string Expert, string Reason)> FailedAttempts { get; } = new List<(string, string)>();

    public string? FallbackReason { get; set; }

    public TimeSpan UpstreamTime { get; set; }

    public Reservation? Reservation { get; set; }

    public SettledUsage? Usage { get; set; }
}
