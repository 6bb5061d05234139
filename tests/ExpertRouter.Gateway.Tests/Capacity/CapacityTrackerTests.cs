using System.Net;
using ExpertRouter.Core.Experts;
using ExpertRouter.Gateway.Capacity;

namespace ExpertRouter.Gateway.Tests.Capacity;

public sealed class CapacityTrackerTests
{
    [Fact]
    public async Task TryTake_RequestsPerMinute_RefusesTheNPlusFirstUntilTheNextMinute()
    {
        var expert = CapacityHarness.Expert("a", rpm: 3);
        using var harness = new CapacityHarness([expert]);

        for (var i = 0; i < 3; i++)
        {
            Assert.True((await harness.TakeAsync(expert)).Granted);
        }

        var refused = await harness.TakeAsync(expert);
        Assert.Equal(CapacityLimit.Requests, refused.RefusedBy);
        Assert.Equal(TimeSpan.FromSeconds(50), refused.RetryAfter);
        Assert.False(harness.Tracker.Check(expert, 10, harness.Tracker.NowMs).Fits);

        harness.Time.Advance(TimeSpan.FromSeconds(50));
        Assert.True((await harness.TakeAsync(expert)).Granted);
    }

    [Fact]
    public async Task Release_CallNeverSent_GivesTheRequestBack()
    {
        var expert = CapacityHarness.Expert("a", rpm: 1);
        using var harness = new CapacityHarness([expert]);

        var grant = await harness.TakeAsync(expert);
        await harness.Tracker.ReleaseAsync(grant.Slot);

        Assert.True((await harness.TakeAsync(expert)).Granted);
    }

    [Fact]
    public async Task Settle_TokensPerMinute_CountsTheUsageNotTheEstimate()
    {
        var expert = CapacityHarness.Expert("a", tpm: 1_000);
        using var harness = new CapacityHarness([expert]);

        var first = await harness.TakeAsync(expert, tokens: 900);
        Assert.False((await harness.TakeAsync(expert, tokens: 200)).Granted);

        await harness.Tracker.SettleAsync(first.Slot, usedTokens: 300);

        Assert.True((await harness.TakeAsync(expert, tokens: 200)).Granted);
        Assert.Equal(0.5, harness.Tracker.Check(expert, 1, harness.Tracker.NowMs).Headroom, 3);
    }

    [Fact]
    public async Task TryTake_LoneRequestLargerThanTheTokenQuota_GoesInAnEmptyMinute()
    {
        var expert = CapacityHarness.Expert("a", tpm: 100);
        using var harness = new CapacityHarness([expert]);

        Assert.True((await harness.TakeAsync(expert, tokens: 500)).Granted);
        Assert.Equal(CapacityLimit.Tokens, (await harness.TakeAsync(expert, tokens: 1)).RefusedBy);
    }

    [Fact]
    public async Task TryTake_MaxConcurrency_FreesThePlaceWhenTheCallSettles()
    {
        var expert = CapacityHarness.Expert("a", concurrency: 1);
        using var harness = new CapacityHarness([expert]);

        var first = await harness.TakeAsync(expert);
        var refused = await harness.TakeAsync(expert);
        Assert.Equal(CapacityLimit.Concurrency, refused.RefusedBy);
        Assert.Equal(TimeSpan.FromSeconds(1), refused.RetryAfter);

        await harness.Tracker.SettleAsync(first.Slot, null);

        Assert.True((await harness.TakeAsync(expert)).Granted);
    }

    [Fact]
    public async Task Settle_Twice_CountsOnce()
    {
        var expert = CapacityHarness.Expert("a", concurrency: 2);
        using var harness = new CapacityHarness([expert]);
        var first = await harness.TakeAsync(expert);
        var second = await harness.TakeAsync(expert);

        await harness.Tracker.SettleAsync(first.Slot, null);
        await harness.Tracker.SettleAsync(first.Slot, null);
        await harness.Tracker.ReleaseAsync(first.Slot);

        Assert.True((await harness.TakeAsync(expert)).Granted);
        Assert.False((await harness.TakeAsync(expert)).Granted);
        Assert.NotNull(second.Slot);
    }

    [Fact]
    public async Task Check_PerBaseUrl_FitsWhileAnyBaseUrlHasRoom()
    {
        var expert = CapacityHarness.Expert("a", rpm: 1, baseUrls: 2, scope: CapacityScope.BaseUrl);
        using var harness = new CapacityHarness([expert]);

        Assert.True(harness.Tracker.PerBaseUrl(expert));
        Assert.True((await harness.TakeAsync(expert, baseUrl: 0)).Granted);
        Assert.False((await harness.TakeAsync(expert, baseUrl: 0)).Granted);
        Assert.True(harness.Tracker.Check(expert, 10, harness.Tracker.NowMs).Fits);

        Assert.True((await harness.TakeAsync(expert, baseUrl: 1)).Granted);
        Assert.False(harness.Tracker.Check(expert, 10, harness.Tracker.NowMs).Fits);
    }

    [Fact]
    public void Active_NoQuotasAndNoProviderSignal_IsFalse()
    {
        using var harness = new CapacityHarness([CapacityHarness.Expert("a")]);

        Assert.False(harness.Tracker.Active);
        Assert.Equal(CapacityCheck.Unlimited, harness.Tracker.Check(CapacityHarness.Expert("a"), 10, harness.Tracker.NowMs));
    }

    [Fact]
    public async Task ObserveResponse_429WithRetryAfter_KeepsTheExpertOutUntilItsReset()
    {
        var expert = CapacityHarness.Expert("a");
        using var harness = new CapacityHarness([expert]);
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);

        harness.Tracker.ObserveResponse(expert, -1, response.Headers, 429, TimeSpan.FromSeconds(2));

        Assert.True(harness.Tracker.Active);
        var check = harness.Tracker.Check(expert, 10, harness.Tracker.NowMs);
        Assert.False(check.Fits);
        Assert.Equal(TimeSpan.FromSeconds(2), check.RetryAfter);
        Assert.Equal(CapacityLimit.Provider, (await harness.TakeAsync(expert)).RefusedBy);
        Assert.True((await harness.Tracker.TryTakeAsync(expert, -1, 10, TimeSpan.FromMinutes(1), afterProviderWait: true)).Granted);

        harness.Time.Advance(TimeSpan.FromSeconds(2));
        Assert.True(harness.Tracker.Check(expert, 10, harness.Tracker.NowMs).Fits);
    }

    [Fact]
    public void ObserveResponse_RemainingRequestsZero_BlocksUntilTheRequestsReset()
    {
        var expert = CapacityHarness.Expert("a");
        using var harness = new CapacityHarness([expert]);
        using var response = new HttpResponseMessage(HttpStatusCode.OK);
        response.Headers.TryAddWithoutValidation("x-ratelimit-remaining-requests", "0");
        response.Headers.TryAddWithoutValidation("x-ratelimit-reset-requests", "6m0s");

        harness.Tracker.ObserveResponse(expert, -1, response.Headers, 200, null);

        Assert.Equal(TimeSpan.FromMinutes(6), harness.Tracker.Check(expert, 10, harness.Tracker.NowMs).RetryAfter);
    }

    [Fact]
    public void ObserveResponse_TokensLeft_RefusesOnlyRequestsEstimatedAboveThem()
    {
        var expert = CapacityHarness.Expert("a");
        using var harness = new CapacityHarness([expert]);
        using var response = new HttpResponseMessage(HttpStatusCode.OK);
        response.Headers.TryAddWithoutValidation("x-ratelimit-remaining-tokens", "500");
        response.Headers.TryAddWithoutValidation("x-ratelimit-reset-tokens", "1.5s");

        harness.Tracker.ObserveResponse(expert, -1, response.Headers, 200, null);

        var now = harness.Tracker.NowMs;
        Assert.True(harness.Tracker.Check(expert, 400, now).Fits);
        Assert.Equal(TimeSpan.FromSeconds(1.5), harness.Tracker.Check(expert, 600, now).RetryAfter);
    }

    [Fact]
    public void ObserveResponse_RetryAfterBeyondTheCap_IsCappedAtMaxProviderBlock()
    {
        var expert = CapacityHarness.Expert("a");
        using var harness = new CapacityHarness([expert]);
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);

        harness.Tracker.ObserveResponse(expert, -1, response.Headers, 429, TimeSpan.FromDays(1));

        Assert.Equal(harness.Options.MaxProviderBlock, harness.Tracker.Check(expert, 10, harness.Tracker.NowMs).RetryAfter);
    }

    [Fact]
    public void FirstTokenP90_AfterMinimumSamples_IsTheNinetiethPercentile()
    {
        var expert = CapacityHarness.Expert("a");
        using var harness = new CapacityHarness([expert]);

        for (var ms = 1; ms <= 4; ms++)
        {
            harness.Tracker.RecordFirstToken(expert, TimeSpan.FromMilliseconds(ms * 100));
        }

        Assert.Null(harness.Tracker.FirstTokenP90Ms(expert, harness.Tracker.NowMs));
        for (var ms = 5; ms <= 10; ms++)
        {
            harness.Tracker.RecordFirstToken(expert, TimeSpan.FromMilliseconds(ms * 100));
        }

        Assert.Equal(900, harness.Tracker.FirstTokenP90Ms(expert, harness.Tracker.NowMs));

        // Samples age out of the window: an expert passed over for latency is judged afresh later.
        harness.Time.Advance(harness.Options.LatencyWindow);
        Assert.Null(harness.Tracker.FirstTokenP90Ms(expert, harness.Tracker.NowMs));
    }
}
