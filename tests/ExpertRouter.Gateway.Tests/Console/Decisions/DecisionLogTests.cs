using ExpertRouter.Core.Experts;
using ExpertRouter.Core.Routing;
using ExpertRouter.Gateway.Console.Decisions;
using ExpertRouter.Gateway.Invocation;
using ExpertRouter.Gateway.Routing;
using Microsoft.Extensions.Time.Testing;

namespace ExpertRouter.Gateway.Tests.Console.Decisions;

public sealed class DecisionLogTests
{
    [Fact]
    public void Read_ReturnsNewestFirst_WithWhatTheRequestHeld()
    {
        var decisions = new DecisionSamples();
        decisions.Routed("acme", requestId: "req_1");
        decisions.Time.Advance(TimeSpan.FromSeconds(5));
        decisions.Routed("acme", answeredBy: "mid", requestId: "req_2", failed: [new Attempt("cheap", AttemptOutcome.RetryableStatus, 500)]);

        var read = decisions.Log.Read();

        Assert.Equal(["req_2", "req_1"], read.Select(d => d.RequestId));
        var newest = read[0];
        Assert.Equal("acme", newest.TenantId);
        Assert.Equal("irt", newest.Router);
        Assert.Equal("cheap", newest.Chosen?.Expert.Id);
        Assert.Equal("mid", newest.AnsweredBy);
        Assert.Equal(3, newest.Ranking.Count);
        Assert.Equal("HTTP 500", Assert.Single(newest.Failed).Reason);
        Assert.Equal(DecisionSamples.Mid.CostUsd(50, 100), newest.CostUsd, 12);
        Assert.Equal(1, newest.OverheadMs, 6);
        Assert.Equal(TimeSpan.FromSeconds(5), newest.At - read[1].At);
        Assert.Equal(decisions.Time.GetUtcNow(), newest.At);
    }

    [Fact]
    public void Record_PastCapacity_KeepsTheLastOnes()
    {
        var decisions = new DecisionSamples(capacity: 100);
        for (var i = 0; i < 250; i++)
        {
            decisions.Routed("acme", requestId: $"req_{i}");
        }

        var read = decisions.Log.Read();

        Assert.Equal(250, decisions.Log.Total);
        Assert.Equal(100, read.Count);
        Assert.Equal("req_249", read[0].RequestId);
        Assert.Equal("req_150", read[^1].RequestId);
    }

    [Fact]
    public void Record_WhenDisabled_HoldsNothing()
    {
        var log = new DecisionLog(1000, enabled: false, TimeProvider.System);

        log.Record(new DecisionInput { StartTimestamp = 0, Total = TimeSpan.Zero, Upstream = TimeSpan.Zero, Status = 200, Failed = [] });

        Assert.Equal(0, log.Capacity);
        Assert.Empty(log.Read());
        Assert.Equal(0, log.Total);
    }

    [Fact]
    public void Record_LargePool_KeepsTheFirstExpertsAndCountsTheRest()
    {
        var decisions = new DecisionSamples();
        var ranking = Enumerable.Range(0, 20).Select(i => new ExpertScore(new ExpertDefinition { Id = $"e{i}" }, 0.5, 0.001, 0.5 - (i * 0.01))).ToArray();
        var passed = Enumerable.Range(0, 18).Select(i => new PassedOver($"p{i}", PassReason.NotAllowed)).ToArray();
        var attempts = Enumerable.Range(0, 6).Select(i => new Attempt($"e{i}", AttemptOutcome.TransportFailed)).ToArray();
        decisions.Record("acme", new RoutingPlan { Router = "irt", Ranking = ranking, Fallbacks = ranking, PassedOver = passed }, 502, 1, 1, "req_big", null, attempts, null, null);

        var decision = Assert.Single(decisions.Log.Read());

        Assert.Equal(DecisionLog.MaxExperts, decision.Ranking.Count);
        Assert.Equal(20, decision.RankedTotal);
        Assert.Equal(DecisionLog.MaxExperts, decision.PassedOver.Count);
        Assert.Equal(18, decision.PassedOverTotal);
        Assert.Equal(DecisionLog.MaxAttempts, decision.Failed.Count);
        Assert.Equal(6, decision.FailedTotal);
        Assert.Equal(["e0", "e1"], decision.Ranking.Take(2).Select(s => s.Expert.Id));
    }

    [Fact]
    public void Read_FilterSeesHeaders_AndLimitStopsEarly()
    {
        var decisions = new DecisionSamples();
        for (var i = 0; i < 30; i++)
        {
            decisions.Routed(i % 3 == 0 ? "other" : "acme", requestId: $"req_{i}");
        }

        var acme = decisions.Log.Read(h => h.Tenant == "acme", limit: 5);

        Assert.Equal(5, acme.Count);
        Assert.All(acme, d => Assert.Equal("acme", d.TenantId));
        Assert.Equal("req_29", acme[0].RequestId);
    }

    [Fact]
    public async Task ConcurrentWritersAndReaders_NeverSeeAHalfWrittenDecision()
    {
        // Every field of a decision derives from one number, so a mix of two writes shows as a mismatch.
        var log = new DecisionLog(128, enabled: true, new FakeTimeProvider());
        var experts = Enumerable.Range(0, 64).Select(i => new ExpertDefinition { Id = $"e{i}" }).ToArray();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        var torn = 0;
        var checkedCount = 0L;
        var writers = Enumerable.Range(0, 3).Select(w => Task.Run(() =>
        {
            var n = w * 1_000_000;
            while (!stop.IsCancellationRequested)
            {
                n++;
                var expert = experts[n % experts.Length];
                var score = new ExpertScore(expert, n, n, n);
                log.Record(new DecisionInput
                {
                    StartTimestamp = 0,
                    Total = TimeSpan.FromMilliseconds(n),
                    Upstream = TimeSpan.Zero,
                    Status = n % 600,
                    RequestId = expert.Id,
                    Plan = new RoutingPlan { Router = expert.Id, Ranking = [score], Fallbacks = [score] },
                    Answered = score,
                    Failed = [],
                });
            }
        })).ToArray();
        var reader = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                foreach (var d in log.Read())
                {
                    var n = d.LatencyMs;
                    checkedCount++;
                    if (d.RequestId != d.Router || d.Chosen?.Expert.Id != d.RequestId || d.Answered?.PredictedQuality != n
                        || d.Status != (int)n % 600 || d.Ranking[0].ExpectedCostUsd != n)
                    {
                        Interlocked.Increment(ref torn);
                    }
                }
            }
        });

        await Task.WhenAll([.. writers, reader]);

        Assert.Equal(0, torn);
        Assert.True(checkedCount > 1000, $"only {checkedCount} decisions were read");
    }
}
