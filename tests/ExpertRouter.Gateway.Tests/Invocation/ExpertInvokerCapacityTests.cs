using System.Text;
using ExpertRouter.Core.Experts;
using ExpertRouter.Gateway.Capacity;
using ExpertRouter.Gateway.Invocation;
using ExpertRouter.Gateway.OpenAI.Usage;
using ExpertRouter.Gateway.Tests.Capacity;

namespace ExpertRouter.Gateway.Tests.Invocation;

/// <summary>The invoker takes an expert's slot where the call is made and settles it; an expert over capacity is passed over unsent.</summary>
public sealed class ExpertInvokerCapacityTests : IDisposable
{
    private static readonly ExpertDefinition A = CapacityHarness.Expert("a", rpm: 1, tpm: 1_000) with { BaseUrls = [InvokerHarness.Address("a")] };
    private static readonly ExpertDefinition B = CapacityHarness.Expert("b", concurrency: 1) with { BaseUrls = [InvokerHarness.Address("b")] };
    private static readonly ExpertDefinition C = CapacityHarness.Expert("c") with { BaseUrls = [InvokerHarness.Address("c")] };
    private static readonly ExpertDefinition D = CapacityHarness.Expert("d", tpm: 200) with { BaseUrls = [InvokerHarness.Address("d")] };
    private const string Body = """{"model":"auto","messages":[{"role":"user","content":"hi"}]}""";

    private readonly CapacityHarness _capacity = new([A, B, C, D]);
    private readonly InvokerHarness _harness;

    public ExpertInvokerCapacityTests() => _harness = new InvokerHarness([A, B, C, D], capacity: _capacity.Tracker);

    public void Dispose()
    {
        _harness.Dispose();
        _capacity.Dispose();
    }

    [Fact]
    public async Task ExpertAtItsQuota_IsPassedOverUnsent_AndDoesNotCountAsAFallback()
    {
        _harness.Forwarder.Reply(InvokerHarness.Address("a"), new ScriptedReply(Body: "answer-a"));
        _harness.Forwarder.Reply(InvokerHarness.Address("c"), new ScriptedReply(Body: "answer-c"));
        Assert.Same(A, (await InvokeAsync(A, C)).AnsweredBy);

        // One fallback allowed, yet C still answers: an expert passed over for capacity was never tried.
        var result = await InvokeAsync([A, C], maxExperts: 1);

        Assert.Same(C, result.AnsweredBy);
        var passed = Assert.Single(result.Failed);
        Assert.Equal(("a", AttemptOutcome.OverCapacity, "capacity"), (passed.Expert, passed.Outcome, passed.Reason));
        Assert.Equal(TimeSpan.FromSeconds(50), result.CapacityRetryAfter);
        Assert.Equal(["http://a/v1", "http://c/v1"], _harness.Forwarder.Sent.Select(s => s.Address));
    }

    [Fact]
    public async Task EveryExpertOverCapacity_NothingIsSent_AndTheResultSaysWhenToRetry()
    {
        await _capacity.TakeAsync(A);

        var result = await InvokeAsync(A);

        Assert.True(result.OverCapacity);
        Assert.True(result.NoneAvailable);
        Assert.Equal(TimeSpan.FromSeconds(50), result.CapacityRetryAfter);
        Assert.Empty(_harness.Forwarder.Sent);
    }

    [Fact]
    public async Task AnsweredCall_SettlesTheTokenQuotaWithTheReportedUsage()
    {
        _harness.Forwarder.Reply(InvokerHarness.Address("d"), new ScriptedReply(Body: "answer-d"));

        await InvokeAsync([D], usage: new UsageReport(5, 5));

        // Counted as the 10 tokens used, not the 105 estimated (5 prompt + 100 expected output): another 105 fits in 200.
        Assert.True(_capacity.Tracker.Check(D, 105, _capacity.Tracker.NowMs).Fits);
        Assert.False(_capacity.Tracker.Check(D, 191, _capacity.Tracker.NowMs).Fits);
    }

    [Fact]
    public async Task ErrorAnswer_FreesItsPlaceInFlight()
    {
        _harness.Forwarder.Reply(InvokerHarness.Address("b"), new ScriptedReply(500, "oops"));

        var result = await InvokeAsync(B);

        Assert.Same(B, result.AnsweredBy);
        Assert.True((await _capacity.TakeAsync(B)).Granted);
    }

    [Fact]
    public async Task ProviderAnswers429_TheExpertIsPassedOverUntilItsReset()
    {
        var headers = new Dictionary<string, string> { ["retry-after"] = "30", ["x-ratelimit-remaining-requests"] = "0" };
        _harness.Forwarder.Reply(InvokerHarness.Address("c"), new ScriptedReply(429, "slow down") { Headers = headers });
        _harness.Forwarder.Reply(InvokerHarness.Address("b"), new ScriptedReply(Body: "answer-b"), new ScriptedReply(Body: "answer-b"));

        var first = await InvokeAsync(C, B);
        var second = await InvokeAsync(C, B);

        Assert.Same(B, first.AnsweredBy);
        Assert.Equal("c;HTTP 429", string.Join(",", first.Failed.Select(f => f.Expert + ";" + f.Reason)));
        Assert.Same(B, second.AnsweredBy);
        Assert.Equal("c;capacity", string.Join(",", second.Failed.Select(f => f.Expert + ";" + f.Reason)));
        Assert.Single(_harness.Forwarder.Sent, s => s.Address == "http://c/v1");

        _capacity.Time.Advance(TimeSpan.FromSeconds(30));
        Assert.True(_capacity.Tracker.Check(C, 10, _capacity.Tracker.NowMs).Fits);
    }

    [Fact]
    public async Task Answered_RecordsTheFirstTokenTime()
    {
        for (var i = 0; i < _capacity.Options.MinLatencySamples; i++)
        {
            _harness.Forwarder.Reply(InvokerHarness.Address("c"), new ScriptedReply(Body: "answer-c"));
            await InvokeAsync(C);
        }

        Assert.NotNull(_capacity.Tracker.FirstTokenP90Ms(C, _capacity.Tracker.NowMs));
    }

    private Task<InvocationResult> InvokeAsync(params ExpertDefinition[] experts) => InvokeAsync(experts, experts.Length);

    private Task<InvocationResult> InvokeAsync(ExpertDefinition[] experts, int? maxExperts = null, UsageReport? usage = null)
    {
        var body = Encoding.UTF8.GetBytes(Body);
        var start = Body.IndexOf("\"auto\"", StringComparison.Ordinal);
        var call = new ExpertCall
        {
            RequestId = "req-1",
            TenantId = "tenant-a",
            Experts = experts,
            MaxExperts = maxExperts ?? experts.Length,
            Path = "/chat/completions",
            Body = body,
            ModelToken = new Range(start, start + "\"auto\"".Length),
            PromptTokens = 5,
            Usage = usage is null ? null : new FixedUsage(usage),
        };
        return _harness.Invoker.InvokeAsync(BackgroundResponse.CreateContext(new RecordingSink(), CancellationToken.None), call, CancellationToken.None);
    }

    private sealed class FixedUsage(UsageReport? usage) : IUsageSource
    {
        public UsageReport? Usage => usage;
    }
}
