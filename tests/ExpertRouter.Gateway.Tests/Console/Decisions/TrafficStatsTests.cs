using ExpertRouter.Gateway.Console.Decisions;
using ExpertRouter.Gateway.Invocation;

namespace ExpertRouter.Gateway.Tests.Console.Decisions;

public sealed class TrafficStatsTests
{
    [Fact]
    public void Summarize_LastMinute_CountsRatesLatencyErrorsAndCacheHits()
    {
        var decisions = new DecisionSamples();
        decisions.Routed("acme", overheadMs: 100);
        decisions.Time.Advance(TimeSpan.FromMinutes(5));
        for (var i = 1; i <= 100; i++)
        {
            decisions.Routed("acme", status: i <= 5 ? 502 : i <= 8 ? 429 : 200, overheadMs: i, cache: i <= 20 ? "hit" : i <= 60 ? "miss" : null);
        }

        var summary = TrafficStats.Summarize(decisions.Log.Read(), decisions.Time.GetUtcNow(), TimeSpan.FromMinutes(1), ringOverflowed: false);

        Assert.Equal(100, summary.Requests);
        Assert.Equal(100 / 60.0, summary.RequestsPerSecond, 6);
        Assert.Equal(50, summary.P50OverheadMs, 6);
        Assert.Equal(99, summary.P99OverheadMs, 6);
        Assert.Equal(0.05, summary.ErrorRate, 6);
        Assert.Equal(0.03, summary.RefusedRate, 6);
        Assert.Equal(20 / 60.0, summary.CacheHitRate, 6);
    }

    [Fact]
    public void Summarize_RingOverflowedInsideTheWindow_RatesOverWhatItHolds()
    {
        var decisions = new DecisionSamples(capacity: 100);
        for (var i = 0; i < 300; i++)
        {
            decisions.Routed("acme");
            decisions.Time.Advance(TimeSpan.FromMilliseconds(100));
        }

        var summary = TrafficStats.Summarize(decisions.Log.Read(), decisions.Time.GetUtcNow(), TimeSpan.FromMinutes(1), ringOverflowed: true);

        // 100 held, the oldest 10 s ago: 10 per second, not 100 per minute.
        Assert.Equal(10, summary.RequestsPerSecond, 1);
    }

    [Fact]
    public void PerMinute_BucketsEveryMinute_EmptyOnesIncluded()
    {
        var decisions = new DecisionSamples();
        decisions.Routed("acme", status: 500);
        decisions.Time.Advance(TimeSpan.FromMinutes(2));
        decisions.Routed("acme");
        decisions.Routed("acme");

        var minutes = TrafficStats.PerMinute(decisions.Log.Read(), decisions.Time.GetUtcNow(), 5);

        Assert.Equal([0, 0, 1, 0, 2], minutes.Select(m => m.Requests));
        Assert.Equal([0, 0, 1, 0, 0], minutes.Select(m => m.Errors));
        Assert.Equal(2 * DecisionSamples.Cheap.CostUsd(50, 100), minutes[^1].SpendUsd, 12);
    }

    [Fact]
    public void Percentile_NearestRank()
    {
        Assert.Equal(3, TrafficStats.Percentile([5, 1, 3, 2, 4], 0.5));
        Assert.Equal(5, TrafficStats.Percentile([5, 1, 3, 2, 4], 0.99));
        Assert.True(double.IsNaN(TrafficStats.Percentile([], 0.5)));
    }

    [Fact]
    public void ExpertTraffic_CountsAnswersFailuresAndSkips()
    {
        var decisions = new DecisionSamples();
        decisions.Routed("acme", answeredBy: "mid", upstreamMs: 30, failed: [new Attempt("cheap", AttemptOutcome.FirstTokenTimeout), new Attempt("best", AttemptOutcome.CircuitOpen)]);
        decisions.Routed("acme", answeredBy: "cheap", upstreamMs: 10);
        decisions.Routed("acme", answeredBy: "cheap", status: 500, upstreamMs: 20);

        var traffic = ExpertTraffic.Compute(decisions.Log.Read());

        Assert.Equal(2, traffic["cheap"].Answered);
        Assert.Equal(1, traffic["cheap"].Failed);
        Assert.Equal(1, traffic["cheap"].ServerErrors);
        Assert.Equal(2 / 3.0, traffic["cheap"].ErrorRate, 6);
        Assert.Equal(10, traffic["cheap"].P50UpstreamMs, 6);
        Assert.Equal(1, traffic["best"].Skipped);
        Assert.Equal(0, traffic["best"].Answered);
        Assert.Equal(30, traffic["mid"].P99UpstreamMs, 6);
    }

    [Fact]
    public void RouterTraffic_CreditsTheLastScoreToTheDecision()
    {
        var decisions = new DecisionSamples();
        decisions.Routed("acme", requestId: "req_a");
        decisions.Routed("acme", requestId: "req_b");
        decisions.Routed("other", requestId: "req_a");
        FeedbackScore[] feedback =
        [
            new(decisions.Time.GetUtcNow(), "acme", "req_a", 1.0),
            new(decisions.Time.GetUtcNow(), "acme", "req_a", 0.2),
        ];

        var router = Assert.Single(RouterTraffic.Compute(decisions.Log.Read(), feedback));

        Assert.Equal("irt", router.Router);
        Assert.Equal(3, router.Decisions);
        Assert.Equal(1, router.Scored);
        Assert.Equal(1 / 3.0, router.FeedbackRate, 6);
        Assert.Equal(1.0, router.MeanScore, 6);
    }
}
