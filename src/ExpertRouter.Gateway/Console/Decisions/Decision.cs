using ExpertRouter.Core.Routing;
using ExpertRouter.Gateway.Invocation;
using ExpertRouter.Gateway.OpenAI;
using ExpertRouter.Gateway.Routing;

namespace ExpertRouter.Gateway.Console.Decisions;

/// <summary>One recorded request, copied out of the <see cref="DecisionLog"/> for a page: immutable, owned by the reader.</summary>
public sealed class Decision
{
    internal Decision(DecisionHeader header, in DecisionLog.Slot slot, ReadOnlySpan<ExpertScore> ranking, ReadOnlySpan<PassedOver> passedOver, ReadOnlySpan<Attempt> failed)
    {
        Sequence = header.Sequence;
        At = header.At;
        TenantId = header.Tenant;
        RequestId = slot.RequestId;
        Endpoint = slot.Endpoint switch
        {
            OpenAIEndpoint.ChatCompletions => "chat",
            OpenAIEndpoint.Embeddings => "embeddings",
            _ => slot.Path ?? "",
        };
        Parsed = slot.Endpoint is not null;
        Model = slot.Model;
        Stream = slot.Stream;
        PromptTokensEstimate = slot.PromptTokensEstimate;
        Router = slot.Router;
        RouterVersion = slot.RouterVersion;
        Ensemble = slot.Ensemble;
        Chosen = slot.Chosen;
        Ranking = ranking.ToArray();
        RankedTotal = slot.RankedTotal;
        PassedOver = passedOver.ToArray();
        PassedOverTotal = slot.PassedOverTotal;
        Failed = failed.ToArray();
        FailedTotal = slot.FailedTotal;
        Answered = slot.Answered;
        Status = slot.Status;
        LatencyMs = slot.LatencyMs;
        UpstreamMs = slot.UpstreamMs;
        CostUsd = slot.CostUsd;
        PromptTokens = slot.PromptTokens;
        CompletionTokens = slot.CompletionTokens;
        Cache = slot.Cache;
        CacheSavedUsd = slot.CacheSavedUsd;
        ExplorationRate = slot.ExplorationRate;
        // Who the client's answer came from: the expert that answered, else (a cache hit) whose stored answer it was.
        AnsweredBy = slot.Answered?.Expert.Id ?? slot.UsageExpert ?? slot.CacheExpert;
    }

    public long Sequence { get; }

    public DateTimeOffset At { get; }

    /// <summary>Null for a request refused before its key was known.</summary>
    public string? TenantId { get; }

    public string? RequestId { get; }

    /// <summary><c>chat</c>, <c>embeddings</c>, or the path of a request that was not routed (models, usage, refusals).</summary>
    public string Endpoint { get; }

    /// <summary>The body was parsed: a chat or embeddings request, routed or refused by a later step.</summary>
    public bool Parsed { get; }

    public string? Model { get; }

    public bool Stream { get; }

    public int PromptTokensEstimate { get; }

    /// <summary>The router that decided, <c>direct</c> for a named expert; null when no plan was made.</summary>
    public string? Router { get; }

    public string? RouterVersion { get; }

    public string? Ensemble { get; }

    /// <summary>The plan's first choice.</summary>
    public ExpertScore? Chosen { get; }

    /// <summary>The plan's ranking, best first (at most <see cref="DecisionLog.MaxExperts"/>; <see cref="RankedTotal"/> were ranked).</summary>
    public IReadOnlyList<ExpertScore> Ranking { get; }

    public int RankedTotal { get; }

    public IReadOnlyList<PassedOver> PassedOver { get; }

    public int PassedOverTotal { get; }

    public IReadOnlyList<Attempt> Failed { get; }

    public int FailedTotal { get; }

    public ExpertScore? Answered { get; }

    public string? AnsweredBy { get; }

    public int Status { get; }

    public double LatencyMs { get; }

    /// <summary>Time spent waiting on experts.</summary>
    public double UpstreamMs { get; }

    /// <summary>The gateway's own time: total minus time waiting on experts.</summary>
    public double OverheadMs => Math.Max(0, LatencyMs - UpstreamMs);

    /// <summary>What the tenant was charged (0 for a cache hit or a refusal).</summary>
    public double CostUsd { get; }

    public long PromptTokens { get; }

    public long CompletionTokens { get; }

    /// <summary><c>hit</c>, <c>semantic-hit</c>, <c>miss</c>, <c>bypass</c>; null when the cache was not asked.</summary>
    public string? Cache { get; }

    public double CacheSavedUsd { get; }

    public double? ExplorationRate { get; }

    public bool IsCacheHit => Cache is "hit" or "semantic-hit";

    public bool IsError => Status >= 500;

    /// <summary>A routed decision: a router (not the client) chose among candidates.</summary>
    public bool IsRouted => Router is not null && Router != RoutingPlan.DirectRouter && Ranking.Count > 0;
}
