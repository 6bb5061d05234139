using System.Diagnostics.Metrics;
using System.Text;
using ExpertRouter.Core.Experts;
using ExpertRouter.Core.Tenants;
using ExpertRouter.Gateway.Caching;
using ExpertRouter.Gateway.Configuration;
using ExpertRouter.Gateway.Exploration;
using ExpertRouter.Gateway.Pipeline;
using ExpertRouter.Gateway.RequestLog;
using ExpertRouter.Gateway.Routing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace ExpertRouter.Gateway.Tests.Pipeline;

/// <summary>
/// The exploration step on its own, with a fake next step standing in for cache and expert: which requests are
/// sampled (from the seeded source), and that a sampled request's answer reaches the client unchanged and unheld
/// while only a complete 200 from an expert is queued for the explorer.
/// </summary>
public sealed class ExplorationStepTests : IDisposable
{
    private const string Answer = """{"id":"c","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"four"},"finish_reason":"stop"}],"usage":{"prompt_tokens":6,"completion_tokens":1,"total_tokens":7}}""";
    private const string Chat = """{"model":"auto","messages":[{"role":"user","content":"What is 2+2?"}]}""";

    private static readonly ExpertDefinition Cheap = new() { Id = "cheap" };
    private static readonly ExpertDefinition Dear = new() { Id = "dear" };
    private static readonly TenantPolicy Explores = Tenant(new ExplorationPolicy { Rate = 1, Judge = "judge", DailyBudgetUsd = 1 });

    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero));
    private readonly ExplorationMetrics _metrics;
    private Stream? _bodySeen;

    public ExplorationStepTests() => _metrics = new ExplorationMetrics(_services.GetRequiredService<IMeterFactory>());

    public void Dispose() => _services.Dispose();

    private static TenantPolicy Tenant(ExplorationPolicy exploration) => new() { Id = "t", Exploration = exploration };

    /// <summary>The queue as the gateway builds it; the request log must be on (a directory set) for exploration to run.</summary>
    private ExplorationQueue Queue(bool requestLog = true, int capacity = 256, int maxCapturedBytes = 256 * 1024, int? seed = 1)
    {
        var options = new GatewayOptions
        {
            RequestLog = new RequestLogOptions { Directory = requestLog ? "/unused" : null },
            Exploration = new ExplorationOptions { QueueCapacity = capacity, MaxCapturedBytes = maxCapturedBytes },
        };
        var log = new RequestLogQueue(
            Options.Create(options), new RequestIndex(options.RequestLog, TimeProvider.System, null), new RequestLogMetrics(_services.GetRequiredService<IMeterFactory>()));
        return new ExplorationQueue(Options.Create(options), log, new ExplorationSampler(seed), _metrics);
    }

    /// <summary>Stands in for the steps after exploration: the plan's first expert answers <paramref name="status"/> with <paramref name="body"/>.</summary>
    private RequestDelegate Expert(int status = 200, string body = Answer, string contentType = "application/json", CacheOutcome? cache = null) => async context =>
    {
        _bodySeen = context.Response.Body;
        var feature = context.Feature();
        feature.Outcome.Answered = feature.Plan!.First;
        feature.Outcome.Cache = cache;
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(body));
    };

    private async Task<HttpContext> SendAsync(ExplorationQueue queue, TenantPolicy tenant, RequestDelegate? next = null, string json = Chat)
    {
        var context = StepContext.For(tenant, json, Cheap, Dear);
        await new ExplorationStep(next ?? Expert(), queue, _time).InvokeAsync(context);
        return context;
    }

    private static List<ExplorationJob> Queued(ExplorationQueue queue)
    {
        var jobs = new List<ExplorationJob>();
        while (queue.Reader.TryRead(out var job))
        {
            jobs.Add(job);
        }

        return jobs;
    }

    [Fact]
    public async Task TenantWithoutAnExplorationPolicy_IsNeverSampled()
    {
        var queue = Queue();
        var context = await SendAsync(queue, new TenantPolicy { Id = "t" });

        Assert.Same(context.Response.Body, _bodySeen);
        Assert.Equal(Answer, context.Body());
        Assert.Null(context.Feature().Outcome.ExplorationRate);
        Assert.Empty(Queued(queue));
        Assert.Equal(0, _metrics.SampledTotal);
    }

    [Theory]
    [InlineData(0, "judge", 1.0)]
    [InlineData(1, null, 1.0)]
    [InlineData(1, "judge", null)]
    [InlineData(1, "judge", 0.0)]
    public async Task ExplorationWithoutRateJudgeOrBudget_IsOff(double rate, string? judge, double? dailyBudgetUsd)
    {
        var queue = Queue();
        var context = await SendAsync(queue, Tenant(new ExplorationPolicy { Rate = rate, Judge = judge, DailyBudgetUsd = dailyBudgetUsd }));

        Assert.Null(context.Feature().Outcome.ExplorationRate);
        Assert.Empty(Queued(queue));
        Assert.Equal(0, _metrics.SampledTotal);
    }

    [Fact]
    public async Task WithoutTheRequestLog_ExplorationIsOff()
    {
        var queue = Queue(requestLog: false);
        var context = await SendAsync(queue, Explores);

        Assert.Same(context.Response.Body, _bodySeen);
        Assert.Null(context.Feature().Outcome.ExplorationRate);
        Assert.Empty(Queued(queue));
    }

    public static TheoryData<string, string, RoutingPlan> Ineligible => new()
    {
        { "tools", """{"model":"auto","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object"}}}]}""", StepContext.Plan("test-router", Cheap, Dear) },
        { "one candidate", Chat, StepContext.Plan("test-router", Cheap) },
        { "named expert", Chat, StepContext.Plan(RoutingPlan.DirectRouter, Cheap, Dear) },
    };

    [Theory]
    [MemberData(nameof(Ineligible))]
    public async Task RequestWithToolsOrNoChoiceOfExpert_IsNotSampled(string why, string json, RoutingPlan plan)
    {
        var queue = Queue();
        var context = StepContext.For(Explores, json, plan);

        await new ExplorationStep(Expert(), queue, _time).InvokeAsync(context);

        Assert.True(context.Feature().Outcome.ExplorationRate is null, why);
        Assert.Empty(Queued(queue));
        Assert.Equal(0, _metrics.SampledTotal);
    }

    [Fact]
    public async Task Sampled_AnswerReachesTheClientAsItIsWritten_ThenIsQueuedWithWhoServedIt()
    {
        var queue = Queue();
        var client = new MemoryStream();
        long reachedClientDuringNext = -1;
        var context = StepContext.For(Explores, Chat, Cheap, Dear);
        context.Response.Body = client;

        await new ExplorationStep(
            async c =>
            {
                await Expert()(c);
                reachedClientDuringNext = client.Length;
                Assert.Empty(Queued(queue));
            },
            queue,
            _time).InvokeAsync(context);

        var job = Assert.Single(Queued(queue));
        Assert.Equal(Answer.Length, reachedClientDuringNext);
        Assert.NotSame(client, _bodySeen);
        Assert.Same(client, context.Response.Body);
        Assert.Equal(Answer, context.Body());
        Assert.Equal(1, context.Feature().Outcome.ExplorationRate);
        Assert.Equal(("req-test", "t", "cheap", false), (job.RequestId, job.Tenant.Id, job.Served.Expert.Id, job.Streamed));
        Assert.Equal(_time.GetUtcNow(), job.At);
        Assert.Equal(Answer, Encoding.UTF8.GetString(job.ServedResponse));
        Assert.Same(context.Feature().Plan, job.Plan);
        Assert.Equal((1L, 0L), (_metrics.SampledTotal, _metrics.FinishedTotal));
    }

    [Fact]
    public async Task SampledStream_IsQueuedAsAStream()
    {
        const string Sse = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"four\"}}]}\n\ndata: [DONE]\n\n";
        var queue = Queue();

        var context = await SendAsync(queue, Explores, Expert(body: Sse, contentType: "text/event-stream; charset=utf-8"));

        var job = Assert.Single(Queued(queue));
        Assert.True(job.Streamed);
        Assert.Equal(Sse, Encoding.UTF8.GetString(job.ServedResponse));
        Assert.Equal(Sse, context.Body());
    }

    [Fact]
    public async Task Sampling_DrawsFromTheSeededSource_AtTheTenantsRate()
    {
        const int requests = 40;
        var tenant = Tenant(new ExplorationPolicy { Rate = 0.5, Judge = "judge", DailyBudgetUsd = 1 });
        var replay = new ExplorationSampler(42);
        var expected = Enumerable.Range(0, requests).Select(_ => replay.Sample(tenant)).ToArray();
        var queue = Queue(seed: 42);

        var sampled = new bool[requests];
        for (var i = 0; i < requests; i++)
        {
            sampled[i] = (await SendAsync(queue, tenant)).Feature().Outcome.ExplorationRate == 0.5;
        }

        Assert.Equal(expected, sampled);
        Assert.InRange(sampled.Count(s => s), 8, 32);
        Assert.Equal(sampled.Count(s => s), Queued(queue).Count);
        Assert.Equal(sampled.Count(s => s), _metrics.SampledTotal);
    }

    public static TheoryData<string, int, string, CacheOutcome?> NotWorthExploring => new()
    {
        { "error", 502, """{"error":{"message":"Expert 'cheap' could not be reached.","type":"server_error"}}""", null },
        { "not found", 404, """{"error":{"message":"No such model.","type":"invalid_request_error"}}""", null },
        { "cache hit", 200, Answer, new CacheOutcome(CacheOutcome.Hit, "cheap", 6, 1, 0.001) },
        { "semantic cache hit", 200, Answer, new CacheOutcome(CacheOutcome.SemanticHit, "cheap", 6, 1, 0.001) },
    };

    [Theory]
    [MemberData(nameof(NotWorthExploring))]
    public async Task Sampled_ButNoFreshAnswer_IsAbandoned_AndTheClientGetsWhatWasWritten(string why, int status, string body, CacheOutcome? cache)
    {
        var queue = Queue();

        var context = await SendAsync(queue, Explores, Expert(status, body, cache: cache));

        Assert.True(Queued(queue).Count == 0, why);
        Assert.Equal((status, body), (context.Response.StatusCode, context.Body()));
        Assert.Equal(1, context.Feature().Outcome.ExplorationRate);
        Assert.Equal((1L, 1L, 0L), (_metrics.SampledTotal, _metrics.FinishedTotal, _metrics.ExploredTotal));
    }

    [Fact]
    public async Task Sampled_ButNobodyAnswered_IsAbandoned()
    {
        var queue = Queue();

        await SendAsync(queue, Explores, c =>
        {
            c.Response.StatusCode = 200;
            return Task.CompletedTask;
        });

        Assert.Empty(Queued(queue));
        Assert.Equal(1, _metrics.FinishedTotal);
    }

    [Fact]
    public async Task Sampled_ButTheClientLeft_IsAbandoned()
    {
        var queue = Queue();
        using var aborted = new CancellationTokenSource();
        var context = StepContext.For(Explores, Chat, Cheap, Dear);
        context.RequestAborted = aborted.Token;

        await new ExplorationStep(
            async c =>
            {
                await Expert()(c);
                await aborted.CancelAsync();
            },
            queue,
            _time).InvokeAsync(context);

        Assert.Empty(Queued(queue));
        Assert.Equal(1, _metrics.FinishedTotal);
    }

    [Fact]
    public async Task AnswerLongerThanTheCaptureLimit_ReachesTheClientWhole_ButIsNotExplored()
    {
        var queue = Queue(maxCapturedBytes: 64);

        var context = await SendAsync(queue, Explores);

        Assert.Equal(Answer, context.Body());
        Assert.Empty(Queued(queue));
        Assert.Equal(1, _metrics.FinishedTotal);
    }

    [Fact]
    public async Task FullQueue_DropsTheSample_WithoutHoldingTheRequest()
    {
        var queue = Queue(capacity: 1);

        var first = await SendAsync(queue, Explores);
        var second = new ExplorationStep(Expert(), queue, _time).InvokeAsync(StepContext.For(Explores, Chat, Cheap, Dear));

        Assert.True(second.IsCompletedSuccessfully, "A full queue must not hold the request.");
        Assert.Equal(Answer, first.Body());
        Assert.Single(Queued(queue));
        Assert.Equal((2L, 1L), (_metrics.SampledTotal, _metrics.FinishedTotal));
    }

    [Fact]
    public async Task FailingNextStep_FailsAsItWould_TheBodyIsRestored_AndTheSampleIsAbandoned()
    {
        var queue = Queue();
        var context = StepContext.For(Explores, Chat, Cheap, Dear);
        var client = context.Response.Body;

        var thrown = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            new ExplorationStep(_ => throw new InvalidOperationException("later step failed"), queue, _time).InvokeAsync(context));

        Assert.Equal("later step failed", thrown.Message);
        Assert.Same(client, context.Response.Body);
        Assert.Empty(Queued(queue));
        Assert.Equal((1L, 1L), (_metrics.SampledTotal, _metrics.FinishedTotal));
    }
}
