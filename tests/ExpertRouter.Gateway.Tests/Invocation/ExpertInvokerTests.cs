using System.Text;
using ExpertRouter.Core.Experts;
using ExpertRouter.Gateway.Invocation;
using Yarp.ReverseProxy.Forwarder;

namespace ExpertRouter.Gateway.Tests.Invocation;

public sealed class ExpertInvokerTests : IDisposable
{
    private static readonly ExpertDefinition A = new() { Id = "a", BackendModel = "a-backend", ApiKeyEnvironmentVariable = "TEST_KEY" };
    private static readonly ExpertDefinition B = new() { Id = "b" };
    private static readonly ExpertDefinition C = new() { Id = "c" };
    private const string Body = """{"model":"auto","messages":[{"role":"user","content":"hi"}]}""";

    private InvokerHarness _harness = new([A, B, C]);

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task FirstExpertAnswers_IsRelayed_WithTheExpertsModelKeyAndRequestId()
    {
        _harness.Forwarder.Reply(InvokerHarness.Address("a"), new ScriptedReply(Body: "answer-a"));
        var sink = new RecordingSink();

        var result = await InvokeAsync(sink, A, B);

        Assert.Same(A, result.AnsweredBy);
        Assert.Empty(result.Failed);
        Assert.Equal("answer-a", sink.Text);
        var (address, request, body) = Assert.Single(_harness.Forwarder.Sent);
        Assert.Equal("http://a/v1/chat/completions", request.RequestUri!.ToString());
        Assert.Equal("""{"model":"a-backend","messages":[{"role":"user","content":"hi"}]}""", body);
        Assert.Equal("Bearer sk-upstream", request.Headers.Authorization!.ToString());
        Assert.Equal("req-1", request.Headers.GetValues("x-request-id").Single());
    }

    [Fact]
    public async Task RetryableStatus_IsHeldBack_AndTheNextExpertAnswers()
    {
        _harness.Forwarder.Reply(InvokerHarness.Address("a"), new ScriptedReply(500, "oops"));
        _harness.Forwarder.Reply(InvokerHarness.Address("b"), new ScriptedReply(Body: "answer-b"));
        var sink = new RecordingSink();
        IReadOnlyList<Attempt>? failedWhenRelaying = null;

        var result = await InvokeAsync(sink, [A, B], onRelaying: (_, _, failed) => failedWhenRelaying = failed.ToArray());

        Assert.Same(B, result.AnsweredBy);
        Assert.Equal("answer-b", sink.Text);
        var failed = Assert.Single(result.Failed);
        Assert.Equal(("a", AttemptOutcome.RetryableStatus, "HTTP 500", AttemptVerdict.ContentFailed), (failed.Expert, failed.Outcome, failed.Reason, failed.Verdict));
        Assert.Equal(result.Failed, failedWhenRelaying);
    }

    [Fact]
    public async Task TransientStatus_IsRetriedOnTheSameExpert_BeforeFallingBack()
    {
        _harness.Dispose();
        _harness = new InvokerHarness([A, B], new Gateway.Configuration.ResilienceOptions { RetriesPerExpert = 1, RetryBaseDelayMs = 1, RetryMaxDelayMs = 1 });
        _harness.Forwarder.Reply(InvokerHarness.Address("a"), new ScriptedReply(503), new ScriptedReply(Body: "second try"));

        var result = await InvokeAsync(new RecordingSink(), A, B);

        Assert.Same(A, result.AnsweredBy);
        Assert.Equal(2, result.TriesOnLast);
        Assert.Equal(["a", "a"], _harness.Forwarder.Sent.Select(s => s.Address.Split('/')[2]));
    }

    [Fact]
    public async Task TransportFailure_FallsBack_AndIsNamedAsTheForwarderReportedIt()
    {
        _harness.Forwarder.Reply(InvokerHarness.Address("a"), new ScriptedReply(Error: ForwarderError.Request));
        _harness.Forwarder.Reply(InvokerHarness.Address("b"), new ScriptedReply(Body: "b"));

        var result = await InvokeAsync(new RecordingSink(), A, B);

        Assert.Same(B, result.AnsweredBy);
        var failed = Assert.Single(result.Failed);
        Assert.Equal((AttemptOutcome.TransportFailed, "Request", AttemptVerdict.Failed), (failed.Outcome, failed.Reason, failed.Verdict));
    }

    [Fact]
    public async Task EveryExpertFails_NothingIsWritten_AndTheLastAttemptSaysWhy()
    {
        _harness.Forwarder.Reply(InvokerHarness.Address("a"), new ScriptedReply(502));
        _harness.Forwarder.Reply(InvokerHarness.Address("b"), new ScriptedReply(Error: ForwarderError.RequestTimedOut));
        var sink = new RecordingSink();

        var result = await InvokeAsync(sink, A, B);

        Assert.Null(result.AnsweredBy);
        Assert.Equal("", sink.Text);
        Assert.Equal(["a;HTTP 502", "b;RequestTimedOut"], result.Failed.Select(f => f.Expert + ";" + f.Reason));
        Assert.True(result.Last!.Value.TimedOut);
        Assert.False(result.NoneAvailable);
    }

    [Fact]
    public async Task LastExpertsError_IsRelayed_WhenNoOtherExpertRemains()
    {
        _harness.Forwarder.Reply(InvokerHarness.Address("a"), new ScriptedReply(500, "the expert's own error"));
        var sink = new RecordingSink();

        var result = await InvokeAsync(sink, A);

        Assert.Same(A, result.AnsweredBy);
        Assert.Equal("the expert's own error", sink.Text);
        Assert.Equal((AttemptOutcome.Answered, 500), (result.Last!.Value.Outcome, result.Last.Value.Status));
    }

    [Fact]
    public async Task UnhealthyExpert_IsSkippedWithoutACall_AndNotCountedAgainstMaxExperts()
    {
        _harness.Dispose();
        _harness = new InvokerHarness([A, B, C], unhealthy: ["a"]);
        _harness.Forwarder.Reply(InvokerHarness.Address("b"), new ScriptedReply(500));
        _harness.Forwarder.Reply(InvokerHarness.Address("c"), new ScriptedReply(Body: "c"));

        var result = await InvokeAsync(new RecordingSink(), [A, B, C], maxExperts: 2);

        Assert.Same(C, result.AnsweredBy);
        Assert.DoesNotContain(_harness.Forwarder.Sent, s => s.Address.Contains("//a/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task NoExpertAvailable_SaysSo()
    {
        _harness.Dispose();
        _harness = new InvokerHarness([A], unhealthy: ["a"]);

        var result = await InvokeAsync(new RecordingSink(), A);

        Assert.True(result.NoneAvailable);
        Assert.Equal(AttemptOutcome.NoDestination, result.Last!.Value.Outcome);
        Assert.Empty(_harness.Forwarder.Sent);
    }

    [Fact]
    public async Task MaxExperts_BoundsHowManyAreTried()
    {
        foreach (var id in new[] { "a", "b", "c" })
        {
            _harness.Forwarder.Reply(InvokerHarness.Address(id), new ScriptedReply(503));
        }

        var result = await InvokeAsync(new RecordingSink(), [A, B, C], maxExperts: 2);

        // The second expert is the last one allowed: its error is the client's answer, and the third is never called.
        Assert.Equal("a", Assert.Single(result.Failed).Expert);
        Assert.Equal((AttemptOutcome.Answered, 503), (result.Last!.Value.Outcome, result.Last.Value.Status));
        Assert.Equal(2, _harness.Forwarder.Sent.Count);
    }

    [Fact]
    public async Task StreamCutAfterItsFirstBytes_IsBrokenMidway_AndNotRetried()
    {
        _harness.Forwarder.Reply(InvokerHarness.Address("a"), new ScriptedReply(Body: "data: part\n\n") { BreakAfterBody = ForwarderError.ResponseBodyDestination });
        var sink = new RecordingSink();

        var result = await InvokeAsync(sink, A, B);

        Assert.True(result.BrokenMidway);
        Assert.Same(A, result.AnsweredBy);
        Assert.Single(_harness.Forwarder.Sent);
        Assert.Equal(AttemptVerdict.Failed, result.Last!.Value.Verdict);
    }

    [Fact]
    public async Task SimulatorFaultHeader_GoesToTheFirstExpertOnly()
    {
        _harness.Forwarder.Reply(InvokerHarness.Address("a"), new ScriptedReply(500));
        _harness.Forwarder.Reply(InvokerHarness.Address("b"), new ScriptedReply(Body: "b"));
        var context = BackgroundResponse.CreateContext(new RecordingSink(), CancellationToken.None);
        context.Request.Headers["x-simulator-fault"] = "status;code=500";

        await _harness.Invoker.InvokeAsync(context, Call([A, B], maxExperts: 2), CancellationToken.None);

        Assert.True(_harness.Forwarder.Sent[0].Request.Headers.Contains("x-simulator-fault"));
        Assert.False(_harness.Forwarder.Sent[1].Request.Headers.Contains("x-simulator-fault"));
    }

    [Fact]
    public async Task ContentFailures_OfOneTenant_OpenItsCircuitOnly()
    {
        foreach (var _ in Enumerable.Range(0, 3))
        {
            _harness.Forwarder.Reply(InvokerHarness.Address("a"), new ScriptedReply(500));
        }

        _harness.Forwarder.Reply(InvokerHarness.Address("a"), new ScriptedReply(Body: "for tenant b"));
        await InvokeAsync(new RecordingSink(), A);
        await InvokeAsync(new RecordingSink(), A);
        var skipped = await InvokeAsync(new RecordingSink(), A);
        var otherTenant = await _harness.Invoker.InvokeAsync(
            BackgroundResponse.CreateContext(new RecordingSink(), CancellationToken.None), Call([A], 1) with { TenantId = "tenant-b" }, CancellationToken.None);

        Assert.Equal(AttemptOutcome.CircuitOpen, skipped.Last!.Value.Outcome);
        Assert.Same(A, otherTenant.AnsweredBy);
        Assert.Equal(CircuitState.Open, _harness.Circuits.StateOf("a", "tenant-a"));
        Assert.Equal(CircuitState.Closed, _harness.Circuits.StateOf("a"));
    }

    [Fact]
    public async Task NativeRequest_GoesNativeToTheExpertThatSpeaksIt_AndAsChatToAFallbackThatDoesNot()
    {
        var native = A with { Apis = [ExpertApis.Anthropic] };
        _harness.Dispose();
        _harness = new InvokerHarness([native, B]);
        _harness.Forwarder.Reply(InvokerHarness.Address("a"), new ScriptedReply(529, "overloaded"));
        _harness.Forwarder.Reply(InvokerHarness.Address("b"), new ScriptedReply(Body: "b"));
        const string messages = """{"max_tokens":8,"model":"auto","messages":[{"role":"user","content":"hi"}]}""";
        var start = messages.IndexOf("\"auto\"", StringComparison.Ordinal);
        var call = Call([native, B], 2) with
        {
            Native = new NativeRequest(ExpertApis.Anthropic, "/messages", Encoding.UTF8.GetBytes(messages), new Range(start, start + "\"auto\"".Length)),
        };

        var result = await _harness.Invoker.InvokeAsync(BackgroundResponse.CreateContext(new RecordingSink(), CancellationToken.None), call, CancellationToken.None);

        Assert.Same(B, result.AnsweredBy);
        Assert.Equal(2, _harness.Forwarder.Sent.Count);
        var (_, first, firstBody) = _harness.Forwarder.Sent[0];
        Assert.Equal("http://a/v1/messages", first.RequestUri!.ToString());
        Assert.Equal(messages.Replace("\"auto\"", "\"a-backend\"", StringComparison.Ordinal), firstBody);
        Assert.Equal("sk-upstream", first.Headers.GetValues("x-api-key").Single());
        Assert.Equal("2023-06-01", first.Headers.GetValues("anthropic-version").Single());
        Assert.Null(first.Headers.Authorization);
        var (_, second, secondBody) = _harness.Forwarder.Sent[1];
        Assert.Equal("http://b/v1/chat/completions", second.RequestUri!.ToString());
        Assert.Equal(Body.Replace("\"auto\"", "\"b\"", StringComparison.Ordinal), secondBody);
        Assert.False(second.Headers.Contains("x-api-key"));
    }

    private Task<InvocationResult> InvokeAsync(RecordingSink sink, params ExpertDefinition[] experts) => InvokeAsync(sink, experts, experts.Length);

    private Task<InvocationResult> InvokeAsync(
        RecordingSink sink, ExpertDefinition[] experts, int? maxExperts = null, Action<HttpContext, ExpertDefinition, IReadOnlyList<Attempt>>? onRelaying = null) =>
        _harness.Invoker.InvokeAsync(
            BackgroundResponse.CreateContext(sink, CancellationToken.None), Call(experts, maxExperts ?? experts.Length) with { OnRelaying = onRelaying }, CancellationToken.None);

    private static ExpertCall Call(IReadOnlyList<ExpertDefinition> experts, int maxExperts)
    {
        var body = Encoding.UTF8.GetBytes(Body);
        var start = Body.IndexOf("\"auto\"", StringComparison.Ordinal);
        return new ExpertCall
        {
            RequestId = "req-1",
            TenantId = "tenant-a",
            Experts = experts,
            MaxExperts = maxExperts,
            Path = "/chat/completions",
            Body = body,
            ModelToken = new Range(start, start + "\"auto\"".Length),
        };
    }
}
