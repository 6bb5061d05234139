using ExpertRouter.Core.Feedback;
using ExpertRouter.Core.Routing;
using ExpertRouter.Core.Tenants;
using ExpertRouter.Gateway.Accounting;
using ExpertRouter.Gateway.Caching;
using ExpertRouter.Gateway.Invocation;
using ExpertRouter.Gateway.OpenAI;
using ExpertRouter.Gateway.Routing;

namespace ExpertRouter.Gateway.RequestLog;

/// <summary>Something waiting in the request log's queue: a completed request, a feedback record or an exploration record.</summary>
public abstract class LogItem;

/// <summary>
/// A completed request as the request path hands it over: references to what the request already holds (its
/// immutable request, plan and policy, the outcome's values), nothing computed. The record, the prompt's hash and the
/// shadow router's choice are made from it off the request path.
/// </summary>
public sealed class RequestLogEntry(
    DateTimeOffset at,
    string requestId,
    TenantPolicy tenant,
    OpenAIRequest request,
    RoutingPlan? plan,
    ExpertScore? answered,
    IReadOnlyList<Attempt> failed,
    SettledUsage? usage,
    CacheOutcome? cache,
    int status,
    double latencyMs,
    double? explorationRate) : LogItem
{
    public DateTimeOffset At { get; } = at;

    public string RequestId { get; } = requestId;

    public TenantPolicy Tenant { get; } = tenant;

    public OpenAIRequest Request { get; } = request;

    public RoutingPlan? Plan { get; } = plan;

    public ExpertScore? Answered { get; } = answered;

    public IReadOnlyList<Attempt> Failed { get; } = failed;

    public SettledUsage? Usage { get; } = usage;

    public CacheOutcome? Cache { get; } = cache;

    public int Status { get; } = status;

    public double LatencyMs { get; } = latencyMs;

    /// <summary>The tenant's exploration rate when this request was sampled; null otherwise.</summary>
    public double? ExplorationRate { get; } = explorationRate;
}

/// <summary>A feedback record, already built by the feedback endpoint.</summary>
public sealed class FeedbackItem(RequestLogRecord record) : LogItem
{
    public RequestLogRecord Record { get; } = record;
}

/// <summary>An exploration record, already built by the exploration worker.</summary>
public sealed class ExplorationItem(ExplorationRecord record) : LogItem
{
    public ExplorationRecord Record { get; } = record;
}
