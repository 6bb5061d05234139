using System.Net;
using ExpertRouter.Core.Feedback;
using ExpertRouter.Gateway.Caching;
using ExpertRouter.Gateway.RequestLog;
using static ExpertRouter.Gateway.Tests.RequestLog.RequestLogGateway;

namespace ExpertRouter.Gateway.Tests.RequestLog;

/// <summary>What the request log holds for routed, streamed, ensemble, cache-hit and fallen-back requests, read from its files.</summary>
public sealed class RequestLogTests(RequestLogGateway gateway) : IClassFixture<RequestLogGateway>
{
    [Fact]
    public async Task RoutedRequest_IsLogged_WithCandidatesChoiceUsageCostAndLatency()
    {
        var (id, response) = await gateway.SendAsync(StoreKey, "What is 6 times 7?");

        var record = await gateway.Log.RecordAsync(id);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(("store", "cheapest", "chat", "auto"), (record.Tenant, record.Router, record.Endpoint, record.Model));
        Assert.Null(record.RouterVersion);
        Assert.Equal(["log-cheap", "log-dear"], record.Candidates!.Select(c => c.Expert));
        Assert.All(record.Candidates!, c => Assert.Equal(0.5, c.PredictedQuality));
        Assert.True(record.Candidates![0].ExpectedCostUsd < record.Candidates[1].ExpectedCostUsd);
        Assert.Equal(("log-cheap", "log-cheap", 200, "bypass"), (record.Chosen, record.Expert, record.Status, record.Cache));
        Assert.True(record.OutputTokens > 0 && record.PromptTokens > 0 && record.CostUsd > 0 && record.LatencyMs > 0);
        Assert.Equal(0.5, record.PredictedQuality);
        Assert.Null(record.Fallbacks);
        Assert.Null(record.Score);
    }

    [Fact]
    public async Task StreamedRequest_IsLogged_WithTheUsageTheExpertReported()
    {
        var (id, response) = await gateway.SendAsync(StoreKey, "Stream me a story.", extra: ""","stream":true""");

        var record = await gateway.Log.RecordAsync(id);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(record.Stream);
        Assert.Equal("log-cheap", record.Expert);
        Assert.True(record.OutputTokens > 0 && record.CostUsd > 0);
    }

    [Fact]
    public async Task EnsembleRequest_IsLogged_WithTheEnsembleAndTheExpertWhoseAnswerWon()
    {
        var (id, response) = await gateway.SendAsync(StoreKey, "Vote on it.", model: "ensemble/vote2");

        var record = await gateway.Log.RecordAsync(id);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(("vote2", "ensemble/vote2", "cheapest"), (record.Ensemble, record.Model, record.Router));
        Assert.Contains(record.Expert, new[] { "log-cheap", "log-dear" });
        Assert.True(record.CostUsd > 0);
    }

    [Fact]
    public async Task CacheHit_IsLogged_AsAHitThatCostNothing()
    {
        var prompt = "Cache me " + Guid.NewGuid().ToString("N");
        var (missId, _) = await gateway.SendAsync(StoreKey, prompt, extra: ""","temperature":0""");
        await Functional.CacheTestRequests.SettledAsync(gateway.Host);
        var (hitId, hit) = await gateway.SendAsync(StoreKey, prompt, extra: ""","temperature":0""");

        var (missRecord, hitRecord) = (await gateway.Log.RecordAsync(missId), await gateway.Log.RecordAsync(hitId));

        Assert.Equal(CacheOutcome.Hit, hit.Headers.GetValues("x-expertrouter-cache").Single());
        Assert.Equal((CacheOutcome.Miss, CacheOutcome.Hit), (missRecord.Cache, hitRecord.Cache));
        Assert.Equal(("log-cheap", 0.0), (hitRecord.Expert, hitRecord.CostUsd));
        Assert.Equal(missRecord.OutputTokens, hitRecord.OutputTokens);
    }

    [Fact]
    public async Task FallenBackRequest_IsLogged_WithEachFailedAttemptAndItsReason()
    {
        var (id, response) = await gateway.SendAsync(FlakyKey, "Try the broken one first.");

        var record = await gateway.Log.RecordAsync(id);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(("log-broken", "log-cheap"), (record.Chosen, record.Expert));
        var fallback = Assert.Single(record.Fallbacks!);
        Assert.Equal(("log-broken", "HTTP 500"), (fallback.Expert, fallback.Reason));
    }

    [Fact]
    public async Task Prompts_AreLogged_AsEachTenantsPolicySays_AndNeverWhenOff()
    {
        var secret = "my secret " + Guid.NewGuid().ToString("N");
        var (storeId, _) = await gateway.SendAsync(StoreKey, secret + " (store)");
        var (hashId, _) = await gateway.SendAsync(HashKey, secret + " (hash)");
        var (offId, _) = await gateway.SendAsync(OffKey, secret + " (off)");

        var (store, hash, off) = (await gateway.Log.RecordAsync(storeId), await gateway.Log.RecordAsync(hashId), await gateway.Log.RecordAsync(offId));
        var files = gateway.Log.AllText();

        Assert.Equal((secret + " (store)", "store"), (store.Prompt, store.PromptLogging));
        Assert.Equal(RequestRecordBuilder.PromptSha256(secret + " (store)"), store.PromptSha256);
        Assert.Equal(("", "hash", RequestRecordBuilder.PromptSha256(secret + " (hash)")), (hash.Prompt, hash.PromptLogging, hash.PromptSha256));
        Assert.Equal(("", "off", null), (off.Prompt, off.PromptLogging, off.PromptSha256));
        Assert.DoesNotContain(secret + " (off)", files, StringComparison.Ordinal);
        Assert.DoesNotContain(RequestRecordBuilder.PromptSha256(secret + " (off)"), files, StringComparison.Ordinal);
        Assert.DoesNotContain(secret + " (hash)", files, StringComparison.Ordinal);
        Assert.Equal(RequestLogRecord.RequestKind, off.Kind);
    }
}
