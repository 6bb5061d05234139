using ExpertRouter.Core.Experts;
using ExpertRouter.Core.Routing;
using ExpertRouter.Core.Tenants;
using ExpertRouter.Gateway.Accounting;
using ExpertRouter.Gateway.Caching;
using ExpertRouter.Gateway.Console.Decisions;
using ExpertRouter.Gateway.Invocation;
using ExpertRouter.Gateway.OpenAI;
using ExpertRouter.Gateway.Routing;
using Microsoft.Extensions.Time.Testing;

namespace ExpertRouter.Gateway.Tests.Console.Decisions;

/// <summary>Decisions recorded the way the telemetry step records them, on a fake clock, for the console's unit tests.</summary>
internal sealed class DecisionSamples
{
    public static readonly ExpertDefinition Cheap = new() { Id = "cheap", InputUsdPerMTok = 0.1, OutputUsdPerMTok = 0.4, ExpectedOutputTokens = 100 };
    public static readonly ExpertDefinition Mid = new() { Id = "mid", InputUsdPerMTok = 1, OutputUsdPerMTok = 4, ExpectedOutputTokens = 100 };
    public static readonly ExpertDefinition Best = new() { Id = "best", InputUsdPerMTok = 10, OutputUsdPerMTok = 40, ExpectedOutputTokens = 100 };

    public DecisionSamples(int capacity = 1000)
    {
        Log = new DecisionLog(capacity, enabled: true, Time);
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2030, 1, 1, 12, 0, 0, TimeSpan.Zero));

    public DecisionLog Log { get; }

    /// <summary>A routed chat request that <paramref name="answeredBy"/> answered, with the plan's ranking of all three experts.</summary>
    public void Routed(
        string tenant,
        string answeredBy = "cheap",
        int status = 200,
        double overheadMs = 1,
        double upstreamMs = 10,
        long promptTokens = 50,
        long completionTokens = 100,
        string? cache = null,
        string? requestId = null,
        IReadOnlyList<Attempt>? failed = null,
        IReadOnlyList<PassedOver>? passedOver = null)
    {
        var lambda = 1.0;
        var ranking = new[] { Score(Cheap, 0.70, lambda), Score(Mid, 0.80, lambda), Score(Best, 0.90, lambda) }.OrderByDescending(s => s.Utility).ToArray();
        var plan = new RoutingPlan { Router = "irt", Ranking = ranking, Fallbacks = ranking, PassedOver = passedOver ?? [] };
        var answered = ranking.First(s => s.Expert.Id == answeredBy);
        var cost = cache is "hit" ? 0 : answered.Expert.CostUsd(promptTokens, completionTokens);
        Record(tenant, plan, status, overheadMs, upstreamMs, requestId, answered, failed ?? [],
            cache is "hit" ? null : new SettledUsage(answeredBy, promptTokens, completionTokens, cost),
            cache is null ? null : new CacheOutcome(cache, cache == "hit" ? answeredBy : null, promptTokens, completionTokens, 0));
    }

    public void Record(
        string? tenant,
        RoutingPlan? plan,
        int status,
        double overheadMs,
        double upstreamMs,
        string? requestId,
        ExpertScore? answered,
        IReadOnlyList<Attempt> failed,
        SettledUsage? usage,
        CacheOutcome? cache)
    {
        var start = Time.GetTimestamp();
        Log.Record(new DecisionInput
        {
            StartTimestamp = start,
            Total = TimeSpan.FromMilliseconds(overheadMs + upstreamMs),
            Upstream = TimeSpan.FromMilliseconds(upstreamMs),
            Status = status,
            RequestId = requestId ?? "req_" + Guid.NewGuid().ToString("N"),
            Tenant = tenant is null ? null : new TenantPolicy { Id = tenant },
            Path = "/v1/chat/completions",
            Request = plan is null ? null : new OpenAIRequest { Endpoint = OpenAIEndpoint.ChatCompletions, Body = ReadOnlyMemory<byte>.Empty, Model = "auto", ModelToken = default, PromptTokens = 50 },
            Plan = plan,
            Answered = answered,
            Failed = failed,
            Usage = usage,
            Cache = cache,
        });
    }

    public static ExpertScore Score(ExpertDefinition expert, double quality, double lambda)
    {
        var cost = expert.CostUsd(50, expert.ExpectedOutputTokens);
        return new ExpertScore(expert, quality, cost, quality - (lambda * cost * 1000));
    }
}
