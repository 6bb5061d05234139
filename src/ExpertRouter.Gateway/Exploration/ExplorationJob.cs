using ExpertRouter.Core.Routing;
using ExpertRouter.Core.Tenants;
using ExpertRouter.Gateway.OpenAI;
using ExpertRouter.Gateway.Routing;

namespace ExpertRouter.Gateway.Exploration;

/// <summary>
/// A sampled request whose answer is complete: what the client asked, the plan its candidates come from, who served
/// it, and the served response as the client got it (JSON or server-sent events).
/// </summary>
public sealed record ExplorationJob(
    DateTimeOffset At,
    string RequestId,
    TenantPolicy Tenant,
    OpenAIRequest Request,
    RoutingPlan Plan,
    ExpertScore Served,
    byte[] ServedResponse,
    bool Streamed);
