using ExpertRouter.Core.Routing;
using ExpertRouter.Gateway.Accounting;
using ExpertRouter.Gateway.Caching;
using ExpertRouter.Gateway.Invocation;

namespace ExpertRouter.Gateway.Pipeline;

/// <summary>What carrying out a request's plan did: who answered, what failed first, what it cost, and the cache's part.</summary>
public sealed class RequestOutcome
{
    private IReadOnlyList<Attempt> _failed = [];

    /// <summary>The expert whose answer the client got (for an ensemble: whose text it is, or who wrote it).</summary>
    public ExpertScore? Answered { get; set; }

    /// <summary>Attempts that failed before the one that answered, in order.</summary>
    public IReadOnlyList<Attempt> Failed
    {
        get => _failed;
        set => _failed = value;
    }

    /// <summary>Time spent waiting on experts, so the gateway's own overhead can be told apart.</summary>
    public TimeSpan UpstreamTime { get; set; }

    /// <summary>The worst-case cost held against the tenant's budget while the request is in flight.</summary>
    public Reservation? Reservation { get; set; }

    /// <summary>What the answer really used and cost, once known; null when nothing was served.</summary>
    public SettledUsage? Usage { get; set; }

    /// <summary>What the response cache did (hit, semantic hit, miss, bypass, and what a hit saved); null when it was not consulted.</summary>
    public CacheOutcome? Cache { get; set; }

    /// <summary>The tenant's exploration rate when the request was sampled for exploration; null when it was not.</summary>
    public double? ExplorationRate { get; set; }
}
