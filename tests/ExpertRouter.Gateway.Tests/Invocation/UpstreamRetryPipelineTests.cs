using ExpertRouter.Gateway.Configuration;
using ExpertRouter.Gateway.Invocation;
using Microsoft.Extensions.Time.Testing;

namespace ExpertRouter.Gateway.Tests.Invocation;

public sealed class UpstreamRetryPipelineTests
{
    private static readonly ResilienceOptions Options = new() { RetriesPerExpert = 3, RetryBaseDelayMs = 100, RetryMaxDelayMs = 1_000 };

    [Fact]
    public async Task TransientFailures_SameSeed_SameJitteredDelaysWithinCap()
    {
        var first = await RunAsync(Options, seed: 7, Transient());
        var second = await RunAsync(Options, seed: 7, Transient());
        var other = await RunAsync(Options, seed: 8, Transient());

        Assert.Equal(3, first.Delays.Count);
        Assert.Equal(first.Delays, second.Delays);
        Assert.NotEqual(first.Delays, other.Delays);
        Assert.All(first.Delays, d => Assert.InRange(d, TimeSpan.Zero, TimeSpan.FromMilliseconds(1_000)));
        Assert.Equal(4, first.Attempts);
    }

    [Fact]
    public async Task RetryAfter_IsUsedAsTheDelay()
    {
        var outcome = Transient() with { RetryAfter = TimeSpan.FromSeconds(2) };

        var run = await RunAsync(Options with { RetriesPerExpert = 1 }, seed: 1, outcome);

        Assert.Equal([TimeSpan.FromSeconds(2)], run.Delays);
        Assert.Equal(2, run.Attempts);
    }

    [Fact]
    public async Task NotRetryable_RunsOnce()
    {
        var run = await RunAsync(Options, seed: 1, Transient() with { RetrySameExpert = false });

        Assert.Empty(run.Delays);
        Assert.Equal(1, run.Attempts);
    }

    [Fact]
    public async Task ZeroRetries_RunsOnce()
    {
        var run = await RunAsync(Options with { RetriesPerExpert = 0 }, seed: 1, Transient());

        Assert.Equal(1, run.Attempts);
    }

    [Fact]
    public async Task FirstFails_SecondAnswers_OneDelayTwoAttempts_TheAnswerReturned()
    {
        var time = new FakeTimeProvider();
        var delays = new List<TimeSpan>();
        var pipeline = new UpstreamRetryPipeline(Options, time, UpstreamRetryPipeline.JitterSource(3), (_, delay) => delays.Add(delay));
        var answered = new Attempt("e", AttemptOutcome.Answered, 200);
        var attempts = 0;

        var run = ExecuteAsync(pipeline, () => ValueTask.FromResult(++attempts == 1 ? Transient() : answered));
        for (var i = 0; i < 1_000 && !run.IsCompleted; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(50));
            await Task.Delay(1);
        }

        Assert.Equal(answered, await run);
        Assert.Equal(2, attempts);
        Assert.Single(delays);
    }

    /// <summary>As the invoker runs an expert: the first attempt, then the pipeline only when it asks for a retry.</summary>
    private static async Task<Attempt> ExecuteAsync(UpstreamRetryPipeline pipeline, Func<ValueTask<Attempt>> attempt)
    {
        var first = await attempt();
        return pipeline.NeedsRetry(first) ? await pipeline.RetryAsync(first, static (a, _) => a(), attempt, CancellationToken.None) : first;
    }

    private static Attempt Transient() =>
        new("e", AttemptOutcome.RetryableStatus, 503, RetrySameExpert: true);

    private static async Task<(List<TimeSpan> Delays, int Attempts)> RunAsync(ResilienceOptions options, int seed, Attempt outcome)
    {
        var time = new FakeTimeProvider();
        var delays = new List<TimeSpan>();
        var pipeline = new UpstreamRetryPipeline(options, time, UpstreamRetryPipeline.JitterSource(seed), (_, delay) => delays.Add(delay));
        var attempts = 0;
        var run = ExecuteAsync(pipeline, () => { attempts++; return ValueTask.FromResult(outcome); });
        // The retry waits on the fake clock: move it on until the pipeline gives up.
        for (var i = 0; i < 1_000 && !run.IsCompleted; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(50));
            await Task.Delay(1);
        }

        Assert.Equal(outcome, await run);
        return (delays, attempts);
    }
}
