using System.Text.Json;
using ExpertRouter.Core.Experts;
using ExpertRouter.Core.Tenants;
using ExpertRouter.Gateway.Configuration;
using ExpertRouter.Gateway.Invocation;
using ExpertRouter.Gateway.Pipeline;
using ExpertRouter.Gateway.Tests.Invocation;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Forwarder;

namespace ExpertRouter.Gateway.Tests.Pipeline;

/// <summary>The forward step over the real invoker and a scripted forwarder: what the client sees and what is left for the budget.</summary>
public sealed class ForwardStepTests : IDisposable
{
    private const string Completion = """{"id":"c","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":11,"completion_tokens":22,"total_tokens":33}}""";
    private static readonly ExpertDefinition A = new() { Id = "a", InputUsdPerMTok = 1, OutputUsdPerMTok = 2 };
    private static readonly ExpertDefinition B = new() { Id = "b", InputUsdPerMTok = 3, OutputUsdPerMTok = 4 };
    private static readonly TenantPolicy Tenant = new() { Id = "t" };

    private readonly InvokerHarness _harness = new([A, B]);
    private readonly ForwardStep _step;

    public ForwardStepTests() => _step = new ForwardStep(
        _ => throw new InvalidOperationException("Forwarding is the last step."), _harness.Invoker, Options.Create(new GatewayOptions { MaxFallbacks = 2 }),
        _harness.Metrics, NullLogger<ForwardStep>.Instance);

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task Answer_IsRelayedWithItsHeaders_AndItsUsageIsLeftForTheBudget()
    {
        _harness.Forwarder.Reply(InvokerHarness.Address("a"), new ScriptedReply(Body: Completion));
        var (context, sink) = Client("""{"model":"auto","messages":[{"role":"user","content":"hi"}]}""", A, B);

        await _step.InvokeAsync(context);

        Assert.Equal(Completion, sink.Text);
        Assert.Equal(("a", "test-router", "0.5000"), (Header(context, "x-expertrouter-expert"), Header(context, "x-expertrouter-router"), Header(context, "x-expertrouter-predicted-quality")));
        var outcome = context.Feature().Outcome;
        Assert.Equal("a", outcome.Answered!.Value.Expert.Id);
        Assert.Equal(("a", 11L, 22L, A.CostUsd(11, 22)), (outcome.Usage!.Expert, outcome.Usage.PromptTokens, outcome.Usage.CompletionTokens, outcome.Usage.CostUsd));
    }

    [Fact]
    public async Task FailedFirstExpert_TheAnswerSaysWhoFailedAndWhy()
    {
        _harness.Forwarder.Reply(InvokerHarness.Address("a"), new ScriptedReply(503));
        _harness.Forwarder.Reply(InvokerHarness.Address("b"), new ScriptedReply(Body: Completion));
        var (context, _) = Client("""{"model":"auto","messages":[{"role":"user","content":"hi"}]}""", A, B);

        await _step.InvokeAsync(context);

        Assert.Equal(("b", "a;HTTP 503"), (Header(context, "x-expertrouter-expert"), Header(context, "x-expertrouter-fallbacks")));
        Assert.Equal("b", context.Feature().Outcome.Usage!.Expert);
    }

    [Fact]
    public async Task EveryExpertFailed_Is502_SayingWhoWasTried()
    {
        _harness.Forwarder.Reply(InvokerHarness.Address("a"), new ScriptedReply(Error: ForwarderError.Request));
        _harness.Forwarder.Reply(InvokerHarness.Address("b"), new ScriptedReply(Error: ForwarderError.Request));
        var (context, sink) = Client("""{"model":"auto","messages":[{"role":"user","content":"hi"}]}""", A, B);

        await _step.InvokeAsync(context);

        Assert.Equal(502, context.Response.StatusCode);
        Assert.Contains("upstream_error", sink.Text);
        Assert.Equal(("b", "a;Request,b;Request"), (Header(context, "x-expertrouter-expert"), Header(context, "x-expertrouter-fallbacks")));
        Assert.Null(context.Feature().Outcome.Usage);
    }

    [Fact]
    public async Task NoExpertAvailable_Is503()
    {
        using var harness = new InvokerHarness([A], unhealthy: ["a"]);
        var step = new ForwardStep(_ => Task.CompletedTask, harness.Invoker, Options.Create(new GatewayOptions()), harness.Metrics, NullLogger<ForwardStep>.Instance);
        var (context, sink) = Client("""{"model":"auto","messages":[{"role":"user","content":"hi"}]}""", A);

        await step.InvokeAsync(context);

        Assert.Equal(503, context.Response.StatusCode);
        Assert.Contains("no_expert_available", sink.Text);
    }

    [Fact]
    public async Task Stream_AsksTheExpertForUsage_AndHidesItFromAClientThatDidNot()
    {
        const string events = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hi\"}}]}\n\n"
            + "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":1,\"total_tokens\":6}}\n\ndata: [DONE]\n\n";
        _harness.Forwarder.Reply(InvokerHarness.Address("a"), new ScriptedReply(Body: events, ContentType: "text/event-stream"));
        var (context, sink) = Client("""{"model":"auto","stream":true,"messages":[{"role":"user","content":"hi"}]}""", A);

        await _step.InvokeAsync(context);

        using var sent = JsonDocument.Parse(Assert.Single(_harness.Forwarder.Sent).Body);
        Assert.True(sent.RootElement.GetProperty("stream_options").GetProperty("include_usage").GetBoolean());
        Assert.DoesNotContain("usage", sink.Text);
        Assert.Contains("[DONE]", sink.Text);
        Assert.Equal((5L, 1L), (context.Feature().Outcome.Usage!.PromptTokens, context.Feature().Outcome.Usage!.CompletionTokens));
    }

    [Fact]
    public async Task StreamBrokenMidway_EndsWithAnErrorEvent_InPlainWords()
    {
        _harness.Forwarder.Reply(InvokerHarness.Address("a"), new ScriptedReply(Body: "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"par\"}}]}\n\n", ContentType: "text/event-stream")
        {
            BreakAfterBody = ForwarderError.ResponseBodyDestination,
        });
        var (context, sink) = Client("""{"model":"auto","stream":true,"messages":[{"role":"user","content":"hi"}]}""", A, B);

        await _step.InvokeAsync(context);

        Assert.Contains("upstream_stream_interrupted", sink.Text);
        Assert.Contains("connection closed mid-answer", sink.Text);
        Assert.DoesNotContain("ResponseBodyDestination", sink.Text);
        Assert.Single(_harness.Forwarder.Sent);
    }

    private static (HttpContext Context, RecordingSink Sink) Client(string json, params ExpertDefinition[] experts)
    {
        var sink = new RecordingSink();
        var context = BackgroundResponse.CreateContext(sink, CancellationToken.None);
        var planned = StepContext.For(Tenant, json, experts);
        context.Features.Set(planned.Features.Get<IExpertRoutingFeature>());
        context.Request.Path = "/v1/chat/completions";
        return (context, sink);
    }

    private static string Header(HttpContext context, string name) => context.Response.Headers[name].ToString();
}
