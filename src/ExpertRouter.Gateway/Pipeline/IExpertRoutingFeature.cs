using ExpertRouter.Core.Tenants;
using ExpertRouter.Gateway.OpenAI;
using ExpertRouter.Gateway.Routing;

namespace ExpertRouter.Gateway.Pipeline;

/// <summary>
/// The one object a request carries through the gateway: who asks, what they asked, what was decided, and what
/// happened. Each deciding step sets its part once (tenant → request → plan); the steps that act on the plan record
/// what they did in <see cref="Outcome"/>.
/// </summary>
public interface IExpertRoutingFeature
{
    TenantPolicy Tenant { get; }

    string RequestId { get; }

    OpenAIRequest? Request { get; set; }

    RoutingPlan? Plan { get; set; }

    RequestOutcome Outcome { get; }
}

internal sealed class ExpertRoutingFeature(TenantPolicy tenant, string requestId) : IExpertRoutingFeature
{
    public TenantPolicy Tenant { get; } = tenant;

    public string RequestId { get; } = requestId;

    public OpenAIRequest? Request { get; set; }

    public RoutingPlan? Plan { get; set; }

    public RequestOutcome Outcome { get; } = new();
}
