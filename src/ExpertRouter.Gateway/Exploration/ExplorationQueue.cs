using System.Threading.Channels;
using ExpertRouter.Core.Tenants;
using ExpertRouter.Gateway.Configuration;
using ExpertRouter.Gateway.OpenAI;
using ExpertRouter.Gateway.RequestLog;
using ExpertRouter.Gateway.Routing;
using Microsoft.Extensions.Options;

namespace ExpertRouter.Gateway.Exploration;

/// <summary>
/// Sampled requests waiting to be explored, after their answers are complete: bounded, and a full queue drops the
/// sample (counted) instead of holding anyone. Exploration needs the request log, where its records go.
/// </summary>
public sealed class ExplorationQueue(IOptions<GatewayOptions> options, RequestLogQueue log, ExplorationSampler sampler, ExplorationMetrics metrics)
{
    private readonly Channel<ExplorationJob> _channel = Channel.CreateBounded<ExplorationJob>(new BoundedChannelOptions(options.Value.Exploration.QueueCapacity)
    {
        FullMode = BoundedChannelFullMode.Wait,
    });

    public int MaxCapturedBytes { get; } = options.Value.Exploration.MaxCapturedBytes;

    internal ChannelReader<ExplorationJob> Reader => _channel.Reader;

    /// <summary>Decides, before the request runs, whether it is explored once answered; false for most requests.</summary>
    public bool Samples(TenantPolicy tenant, OpenAIRequest request, RoutingPlan plan)
    {
        if (!log.Enabled || !ExplorationSampler.Eligible(tenant, request, plan) || !sampler.Sample(tenant))
        {
            return false;
        }

        metrics.Outcome(tenant.Id, "sampled");
        return true;
    }

    /// <summary>A sample whose answer is not worth exploring (an error, a cache hit, a client that left, an answer too long to keep).</summary>
    public void Abandon(TenantPolicy tenant) => metrics.Outcome(tenant.Id, "unanswered");

    public void Enqueue(ExplorationJob job)
    {
        if (!_channel.Writer.TryWrite(job))
        {
            metrics.Outcome(job.Tenant.Id, "dropped");
        }
    }
}
